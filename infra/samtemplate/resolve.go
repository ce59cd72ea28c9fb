package samtemplate

import (
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Resolver turns intrinsic functions (!Ref, !GetAtt, !Sub, !Join and their Fn:: long forms) into
// strings for one deployment context. The local runner uses it to give functions the same
// environment they get in AWS, with local names in place of physical ones.
type Resolver struct {
	Template  *Template
	Region    string // AWS::Region; "us-east-1" when empty
	AccountID string // AWS::AccountId; "000000000000" when empty
	Partition string // AWS::Partition; "aws" when empty
	StackName string // AWS::StackName; "rituals-local" when empty
	// Name gives a resource's physical name (a table's name, a queue's name...). When nil the
	// logical id is used.
	Name func(logicalID string) string
	// Attr may override !GetAtt results (for example a table's real StreamArn); ok=false falls
	// back to the plausible default.
	Attr func(logicalID, attr string) (value string, ok bool)
}

func (r Resolver) region() string    { return or(r.Region, "us-east-1") }
func (r Resolver) account() string   { return or(r.AccountID, "000000000000") }
func (r Resolver) partition() string { return or(r.Partition, "aws") }

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (r Resolver) name(id string) string {
	if r.Name != nil {
		return r.Name(id)
	}
	return id
}

// String resolves n to a string. Plain scalars are returned as they are; intrinsic functions are
// resolved; anything else (a mapping that is not an intrinsic, !If, !Select ...) is an error.
func (r Resolver) String(n *yaml.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	if n.Kind == yaml.AliasNode {
		return r.String(n.Alias)
	}
	switch n.Tag {
	case "!Ref":
		return r.Ref(n.Value)
	case "!GetAtt":
		return r.getAtt(n)
	case "!Sub":
		return r.sub(n)
	case "!Join":
		return r.join(n)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return "", fmt.Errorf("line %d: intrinsic %s is not supported locally", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Value, nil
	case yaml.MappingNode:
		if len(n.Content) == 2 {
			key, val := n.Content[0].Value, n.Content[1]
			switch key {
			case "Ref":
				return r.Ref(val.Value)
			case "Fn::GetAtt":
				return r.getAtt(val)
			case "Fn::Sub":
				return r.sub(val)
			case "Fn::Join":
				return r.join(val)
			}
		}
	}
	return "", fmt.Errorf("line %d: cannot resolve a %s to a string", n.Line, kindName(n.Kind))
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "sequence"
	default:
		return "node"
	}
}

// Ref resolves !Ref name: a pseudo parameter, a parameter (its Default) or a resource (what
// CloudFormation's Ref returns for its type, with local names).
func (r Resolver) Ref(name string) (string, error) {
	switch name {
	case "AWS::Region":
		return r.region(), nil
	case "AWS::AccountId":
		return r.account(), nil
	case "AWS::Partition":
		return r.partition(), nil
	case "AWS::StackName":
		return or(r.StackName, "rituals-local"), nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/local", r.partition(), r.region(), r.account(), or(r.StackName, "rituals-local")), nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::NoValue":
		return "", nil
	}
	if r.Template == nil {
		return "", fmt.Errorf("!Ref %s: no template", name)
	}
	if p, ok := r.Template.Parameters[name]; ok {
		d := Get(p, "Default")
		if d == nil {
			return "", fmt.Errorf("!Ref %s: parameter has no Default", name)
		}
		return d.Value, nil
	}
	res, ok := r.Template.Resources[name]
	if !ok {
		return "", fmt.Errorf("!Ref %s: no such parameter or resource", name)
	}
	switch res.Type {
	case "AWS::SQS::Queue":
		return r.queueURL(name), nil
	case "AWS::SNS::Topic":
		return r.arn("sns", r.name(name)), nil
	case "AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api":
		return "local", nil
	}
	return r.name(name), nil
}

func (r Resolver) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.partition(), service, r.region(), r.account(), resource)
}

func (r Resolver) queueURL(id string) string {
	return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", r.region(), r.account(), r.name(id))
}

func (r Resolver) getAtt(n *yaml.Node) (string, error) {
	var id, attr string
	switch n.Kind {
	case yaml.ScalarNode:
		var ok bool
		id, attr, ok = strings.Cut(n.Value, ".")
		if !ok {
			return "", fmt.Errorf("line %d: !GetAtt %q: want Resource.Attribute", n.Line, n.Value)
		}
	case yaml.SequenceNode:
		if len(n.Content) != 2 {
			return "", fmt.Errorf("line %d: !GetAtt wants [Resource, Attribute]", n.Line)
		}
		id, attr = n.Content[0].Value, n.Content[1].Value
	default:
		return "", fmt.Errorf("line %d: malformed !GetAtt", n.Line)
	}
	return r.GetAtt(id, attr)
}

// GetAtt resolves !GetAtt id.attr to the value Attr gives, or else to a plausible local value
// of the right shape (ARNs carry the local region, account and names).
func (r Resolver) GetAtt(id, attr string) (string, error) {
	if r.Attr != nil {
		if v, ok := r.Attr(id, attr); ok {
			return v, nil
		}
	}
	if r.Template == nil {
		return "", fmt.Errorf("!GetAtt %s.%s: no template", id, attr)
	}
	res, ok := r.Template.Resources[id]
	if !ok {
		return "", fmt.Errorf("!GetAtt %s.%s: no such resource", id, attr)
	}
	name := r.name(id)
	switch res.Type + "." + attr {
	case "AWS::DynamoDB::Table.Arn":
		return r.arn("dynamodb", "table/"+name), nil
	case "AWS::DynamoDB::Table.StreamArn":
		return r.arn("dynamodb", "table/"+name+"/stream/local"), nil
	case "AWS::SQS::Queue.Arn":
		return r.arn("sqs", name), nil
	case "AWS::SQS::Queue.QueueName":
		return name, nil
	case "AWS::SQS::Queue.QueueUrl":
		return r.queueURL(id), nil
	case "AWS::SNS::Topic.TopicArn":
		return r.arn("sns", name), nil
	case "AWS::SNS::Topic.TopicName":
		return name, nil
	case "AWS::Serverless::Function.Arn", "AWS::Lambda::Function.Arn":
		return r.arn("lambda", "function:"+name), nil
	case "AWS::Serverless::HttpApi.ApiEndpoint", "AWS::ApiGatewayV2::Api.ApiEndpoint":
		return "https://" + name + ".execute-api." + r.region() + ".amazonaws.com", nil
	}
	if attr == "Arn" {
		service := strings.ToLower(strings.Split(res.Type, "::")[1])
		return r.arn(service, name), nil
	}
	return "", fmt.Errorf("!GetAtt %s.%s: attribute not known locally", id, attr)
}

var subVar = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

func (r Resolver) sub(n *yaml.Node) (string, error) {
	text := n
	vars := map[string]string{}
	if n.Kind == yaml.SequenceNode {
		if len(n.Content) != 2 {
			return "", fmt.Errorf("line %d: !Sub wants [String, {Var: Value}]", n.Line)
		}
		text = n.Content[0]
		for _, kv := range Pairs(n.Content[1]) {
			v, err := r.String(kv.Value)
			if err != nil {
				return "", fmt.Errorf("!Sub variable %s: %w", kv.Key, err)
			}
			vars[kv.Key] = v
		}
	}
	if text.Kind != yaml.ScalarNode {
		return "", fmt.Errorf("line %d: !Sub wants a string", n.Line)
	}
	var firstErr error
	out := subVar.ReplaceAllStringFunc(text.Value, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return v
		}
		var v string
		var err error
		if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.GetAtt(id, attr)
		} else {
			v, err = r.Ref(name)
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("line %d: !Sub %s: %w", n.Line, m, err)
		}
		return v
	})
	// ${!Literal} is written as ${Literal}.
	out = strings.ReplaceAll(out, "${!", "${")
	return out, firstErr
}

// HTTPAPIURL is how the template writes the HTTP API's base URL in a !Sub (its outputs and the
// functions that must know their own webhook URL). The local runner resolves it and puts its own
// URL in its place, so that a function's idea of its URL is the local stack's.
const HTTPAPIURL = "https://${HttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"

// Sub resolves a !Sub string such as HTTPAPIURL.
func (r Resolver) Sub(text string) (string, error) {
	return r.sub(&yaml.Node{Kind: yaml.ScalarNode, Tag: "!Sub", Value: text})
}

func (r Resolver) join(n *yaml.Node) (string, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) != 2 || n.Content[1].Kind != yaml.SequenceNode {
		return "", fmt.Errorf("line %d: !Join wants [Separator, [Values]]", n.Line)
	}
	var parts []string
	for _, p := range n.Content[1].Content {
		v, err := r.String(p)
		if err != nil {
			return "", err
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, n.Content[0].Value), nil
}
