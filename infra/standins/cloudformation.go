package standins

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// CloudFormationPath is where the CloudFormation stand-in is served (query protocol, SigV4).
const CloudFormationPath = "/_standins/aws/cloudformation/"

// CloudFormationURL is the CloudFormation endpoint for stand-ins served at base.
func CloudFormationURL(base string) string {
	return strings.TrimSuffix(base, "/") + CloudFormationPath
}

// Stack is a deployed stack as DescribeStacks reports it.
type Stack struct {
	Name   string
	Status string // CREATE_COMPLETE when empty
	// Parameters are the stack's parameter values by key.
	Parameters map[string]string
	// Outputs are the stack's outputs by key, with their descriptions in OutputDescriptions.
	Outputs            map[string]string
	OutputDescriptions map[string]string
	Created            time.Time
}

type cloudFormationAPI struct {
	s      *Server
	mu     sync.Mutex
	stacks map[string]Stack
}

func newCloudFormationAPI(s *Server) *cloudFormationAPI {
	return &cloudFormationAPI{s: s, stacks: map[string]Stack{}}
}

// SetStack adds or replaces a stack that DescribeStacks reports.
func (s *Server) SetStack(st Stack) {
	if st.Status == "" {
		st.Status = "CREATE_COMPLETE"
	}
	if st.Created.IsZero() {
		st.Created = s.now()
	}
	s.cfn.mu.Lock()
	defer s.cfn.mu.Unlock()
	s.cfn.stacks[st.Name] = st
}

// Stack returns a stack as set.
func (s *Server) Stack(name string) (Stack, bool) {
	s.cfn.mu.Lock()
	defer s.cfn.mu.Unlock()
	st, ok := s.cfn.stacks[name]
	return st, ok
}

// DeleteStack forgets a stack, as if it had been deleted.
func (s *Server) DeleteStack(name string) {
	s.cfn.mu.Lock()
	defer s.cfn.mu.Unlock()
	delete(s.cfn.stacks, name)
}

const cfnNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

type cfnParam struct {
	ParameterKey   string
	ParameterValue string
}

type cfnOutput struct {
	OutputKey   string
	OutputValue string
	Description string `xml:",omitempty"`
}

type cfnStack struct {
	StackName    string
	StackId      string
	CreationTime string
	StackStatus  string
	Parameters   []cfnParam  `xml:"Parameters>member"`
	Outputs      []cfnOutput `xml:"Outputs>member"`
}

type describeStacksResponse struct {
	XMLName   xml.Name   `xml:"DescribeStacksResponse"`
	Xmlns     string     `xml:"xmlns,attr"`
	Stacks    []cfnStack `xml:"DescribeStacksResult>Stacks>member"`
	RequestID string     `xml:"ResponseMetadata>RequestId"`
}

type cfnErrorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// serve answers the query protocol: a form-encoded POST with Action and Version.
func (c *cloudFormationAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	form, _ := url.ParseQuery(string(body))
	action := form.Get("Action")
	call := Call{Service: "cloudformation", Method: r.Method, Path: "/", API: action, Request: formMap(form)}
	rid := requestID(c.s.outbox.Last())
	fail := func(e *awsError) {
		typ := "Sender"
		if e.status >= 500 {
			typ = "Receiver"
		}
		call.Status, call.Response = e.status, map[string]any{"Code": e.code, "Message": e.message}
		c.s.outbox.Record(call)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(e.status)
		_ = xml.NewEncoder(w).Encode(cfnErrorResponse{Xmlns: cfnNS, Type: typ, Code: e.code, Message: e.message, RequestID: rid})
	}
	if e := checkSigV4(r, body, "cloudformation"); e != nil {
		fail(e)
		return
	}
	call.Authorized = true
	switch {
	case r.Method != http.MethodPost:
		fail(&awsError{http.StatusMethodNotAllowed, "InvalidAction", "use POST"})
		return
	case form.Get("Version") != "2010-05-15":
		fail(&awsError{http.StatusBadRequest, "InvalidParameterValue", "Version must be 2010-05-15"})
		return
	case action != "DescribeStacks":
		fail(&awsError{http.StatusBadRequest, "InvalidAction", "The action " + action + " is not valid for this web service (the local stand-in serves DescribeStacks)."})
		return
	}
	name := form.Get("StackName")
	c.mu.Lock()
	var stacks []Stack
	if name == "" {
		for _, st := range c.stacks {
			stacks = append(stacks, st)
		}
		sort.Slice(stacks, func(i, j int) bool { return stacks[i].Name < stacks[j].Name })
	} else if st, ok := c.stacks[name]; ok {
		stacks = append(stacks, st)
	}
	c.mu.Unlock()
	if name != "" && len(stacks) == 0 {
		fail(&awsError{http.StatusBadRequest, "ValidationError", "Stack with id " + name + " does not exist"})
		return
	}
	resp := describeStacksResponse{Xmlns: cfnNS, RequestID: rid}
	for _, st := range stacks {
		resp.Stacks = append(resp.Stacks, st.xml())
	}
	call.Status, call.Response = http.StatusOK, map[string]any{"stacks": len(resp.Stacks)}
	c.s.outbox.Record(call)
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(xml.Header))
	_ = xml.NewEncoder(w).Encode(resp)
}

func (st Stack) xml() cfnStack {
	out := cfnStack{
		StackName:    st.Name,
		StackId:      "arn:aws:cloudformation:us-east-1:000000000000:stack/" + st.Name + "/local",
		CreationTime: st.Created.UTC().Format(time.RFC3339),
		StackStatus:  st.Status,
	}
	for _, k := range sortedKeys(st.Parameters) {
		out.Parameters = append(out.Parameters, cfnParam{k, st.Parameters[k]})
	}
	for _, k := range sortedKeys(st.Outputs) {
		out.Outputs = append(out.Outputs, cfnOutput{k, st.Outputs[k], st.OutputDescriptions[k]})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func formMap(v url.Values) map[string]any {
	out := map[string]any{}
	for k, vs := range v {
		if len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}
