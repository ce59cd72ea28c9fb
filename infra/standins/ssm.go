package standins

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// SSMPath is where the SSM Parameter Store stand-in is served: an aws-sdk-go-v2 SSM client
// with BaseEndpoint SSMURL(base) talks to it (AWS_ENDPOINT_URL_SSM for the functions).
const SSMPath = "/_standins/aws/ssm/"

// SSMURL is the SSM endpoint for stand-ins served at base.
func SSMURL(base string) string { return strings.TrimSuffix(base, "/") + SSMPath }

// ssmAPI is an SSM Parameter Store over its real protocol (JSON 1.1, X-Amz-Target
// AmazonSSM.<Operation>, SigV4): PutParameter, GetParameter, GetParameters, DeleteParameter.
type ssmAPI struct {
	s      *Server
	mu     sync.Mutex
	params map[string]*ssmParam
}

type ssmParam struct {
	name, typ, value, description string
	version                       int64
	modified                      time.Time
}

func newSSMAPI(s *Server) *ssmAPI { return &ssmAPI{s: s, params: map[string]*ssmParam{}} }

type ssmOp func(a *ssmAPI, in map[string]any) (any, *awsError)

var ssmOps = map[string]ssmOp{
	"PutParameter":    (*ssmAPI).put,
	"GetParameter":    (*ssmAPI).get,
	"GetParameters":   (*ssmAPI).getMany,
	"DeleteParameter": (*ssmAPI).delete,
}

func (a *ssmAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := readBody(r)
	target := r.Header.Get("X-Amz-Target")
	op := strings.TrimPrefix(target, "AmazonSSM.")
	call := Call{Service: "ssm", Method: r.Method, Path: "/", API: op}
	var in map[string]any
	var out any
	aerr := checkSigV4(r, body, "ssm")
	switch {
	case aerr != nil:
	case r.Method != http.MethodPost:
		aerr = &awsError{http.StatusMethodNotAllowed, "UnknownOperationException", "use POST"}
	case !strings.HasPrefix(target, "AmazonSSM."):
		aerr = &awsError{http.StatusBadRequest, "UnknownOperationException", "X-Amz-Target must be AmazonSSM.<Operation>"}
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1"):
		aerr = &awsError{http.StatusBadRequest, "SerializationException", "Content-Type must be application/x-amz-json-1.1"}
	case json.Unmarshal(body, &in) != nil:
		aerr = &awsError{http.StatusBadRequest, "SerializationException", "the body is not a JSON object"}
	case ssmOps[op] == nil:
		aerr = &awsError{http.StatusBadRequest, "UnknownOperationException", op + " is not served by the local SSM stand-in"}
	default:
		call.Authorized = true
		a.mu.Lock()
		out, aerr = ssmOps[op](a, in)
		a.mu.Unlock()
	}
	call.Request = redactSSM(in)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-RequestId", requestID(a.s.outbox.Last()))
	if aerr != nil {
		call.Status, call.Response = aerr.status, map[string]any{"__type": aerr.code, "message": aerr.message}
		a.s.outbox.Record(call)
		writeAWSJSON(w, aerr.status, call.Response)
		return
	}
	call.Status, call.Response = http.StatusOK, redactSSM(jsonValue(out))
	a.s.outbox.Record(call)
	writeAWSJSON(w, http.StatusOK, out)
}

func writeAWSJSON(w http.ResponseWriter, status int, v any) {
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func requestID(seq int64) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", seq+1) }

// redactSSM hides parameter values in what the outbox records.
func redactSSM(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return nil
	}
	out := map[string]any{}
	for k, x := range m {
		switch k {
		case "Value":
			x = redacted
		case "Parameter":
			x = redactSSM(x)
		case "Parameters":
			var l []any
			if xs, ok := x.([]any); ok {
				for _, p := range xs {
					l = append(l, redactSSM(p))
				}
			}
			x = l
		}
		out[k] = x
	}
	return out
}

var ssmName = regexp.MustCompile(`^[a-zA-Z0-9_.\-/]+$`)

func validName(name string) *awsError {
	switch {
	case name == "":
		return &awsError{http.StatusBadRequest, "ValidationException", "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"}
	case len(name) > 2048 || !ssmName.MatchString(name):
		return &awsError{http.StatusBadRequest, "ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive) and must contain only a-zA-Z0-9_.-/"}
	case strings.Contains(name, "/") && !strings.HasPrefix(name, "/"):
		return &awsError{http.StatusBadRequest, "ValidationException", "Parameter name must be a fully qualified name: a hierarchy starts with /"}
	}
	lower := strings.ToLower(strings.TrimPrefix(name, "/"))
	if strings.HasPrefix(lower, "aws") || strings.HasPrefix(lower, "ssm") {
		return &awsError{http.StatusBadRequest, "ValidationException", "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive)."}
	}
	return nil
}

func str(in map[string]any, k string) string { s, _ := in[k].(string); return s }

func (a *ssmAPI) put(in map[string]any) (any, *awsError) {
	name, value, typ := str(in, "Name"), str(in, "Value"), str(in, "Type")
	overwrite, _ := in["Overwrite"].(bool)
	if e := validName(name); e != nil {
		return nil, e
	}
	if value == "" {
		return nil, &awsError{http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1"}
	}
	if len(value) > 4096 {
		return nil, &awsError{http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length less than or equal to 4096"}
	}
	old := a.params[name]
	if typ == "" && old == nil {
		return nil, &awsError{http.StatusBadRequest, "ValidationException", "A parameter type is required when you create a parameter."}
	}
	if typ != "" && typ != "String" && typ != "StringList" && typ != "SecureString" {
		return nil, &awsError{http.StatusBadRequest, "ValidationException", "Type must be String, StringList or SecureString"}
	}
	if old != nil && !overwrite {
		return nil, &awsError{http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true."}
	}
	p := &ssmParam{name: name, typ: typ, value: value, description: str(in, "Description"), version: 1, modified: a.s.now()}
	if old != nil {
		p.version = old.version + 1
		if typ == "" {
			p.typ = old.typ
		}
	}
	a.params[name] = p
	return map[string]any{"Version": p.version, "Tier": "Standard"}, nil
}

func (a *ssmAPI) view(p *ssmParam, decrypt bool) map[string]any {
	value := p.value
	if p.typ == "SecureString" && !decrypt {
		value = base64.StdEncoding.EncodeToString([]byte("local-kms:" + shortHash(p.value)))
	}
	return map[string]any{
		"Name": p.name, "Type": p.typ, "Value": value, "Version": p.version, "DataType": "text",
		"LastModifiedDate": float64(p.modified.UnixMilli()) / 1000,
		"ARN":              "arn:aws:ssm:us-east-1:000000000000:parameter/" + strings.TrimPrefix(p.name, "/"),
	}
}

func (a *ssmAPI) get(in map[string]any) (any, *awsError) {
	name := str(in, "Name")
	if e := validName(name); e != nil {
		return nil, e
	}
	p := a.params[name]
	if p == nil {
		return nil, &awsError{http.StatusBadRequest, "ParameterNotFound", "Parameter " + name + " not found."}
	}
	decrypt, _ := in["WithDecryption"].(bool)
	return map[string]any{"Parameter": a.view(p, decrypt)}, nil
}

func (a *ssmAPI) getMany(in map[string]any) (any, *awsError) {
	names, _ := in["Names"].([]any)
	if len(names) == 0 || len(names) > 10 {
		return nil, &awsError{http.StatusBadRequest, "ValidationException", "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10"}
	}
	decrypt, _ := in["WithDecryption"].(bool)
	found, invalid := []any{}, []any{}
	for _, n := range names {
		name, _ := n.(string)
		if p := a.params[name]; p != nil {
			found = append(found, a.view(p, decrypt))
		} else {
			invalid = append(invalid, name)
		}
	}
	return map[string]any{"Parameters": found, "InvalidParameters": invalid}, nil
}

func (a *ssmAPI) delete(in map[string]any) (any, *awsError) {
	name := str(in, "Name")
	if e := validName(name); e != nil {
		return nil, e
	}
	if a.params[name] == nil {
		return nil, &awsError{http.StatusBadRequest, "ParameterNotFound", "Parameter " + name + " not found."}
	}
	delete(a.params, name)
	return map[string]any{}, nil
}

// SetParameter stores a SecureString parameter directly, as `aws ssm put-parameter
// --overwrite` would.
func (s *Server) SetParameter(name, value string) {
	a := s.ssm
	a.mu.Lock()
	defer a.mu.Unlock()
	version := int64(1)
	if old := a.params[name]; old != nil {
		version = old.version + 1
	}
	a.params[name] = &ssmParam{name: name, typ: "SecureString", value: value, version: version, modified: s.now()}
}

// Parameter returns a stored parameter's value.
func (s *Server) Parameter(name string) (string, bool) {
	s.ssm.mu.Lock()
	defer s.ssm.mu.Unlock()
	p := s.ssm.params[name]
	if p == nil {
		return "", false
	}
	return p.value, true
}

// DeleteParameter removes a parameter (nothing when it does not exist).
func (s *Server) DeleteParameter(name string) {
	s.ssm.mu.Lock()
	defer s.ssm.mu.Unlock()
	delete(s.ssm.params, name)
}

// ParameterNames lists the stored parameters, sorted.
func (s *Server) ParameterNames() []string {
	s.ssm.mu.Lock()
	defer s.ssm.mu.Unlock()
	var out []string
	for n := range s.ssm.params {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
