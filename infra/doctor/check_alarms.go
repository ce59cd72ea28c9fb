package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Alarm is a firing alarm.
type Alarm struct{ Name, Reason string }

// AlarmSource tells which of the stack's alarms are firing.
type AlarmSource interface {
	Firing(ctx context.Context) ([]Alarm, error)
}

// DeadLetterSource counts the records the stream functions gave up on, and says where to read
// them.
type DeadLetterSource interface {
	Count(ctx context.Context) (int, error)
	Where() string
}

// checkAlarms: no alarm of the stack is firing and no record waits in the dead-letter queue.
func (d *Doctor) checkAlarms(ctx context.Context, s *state) []Result {
	const name = "alarms"
	if !s.stackOK {
		return []Result{{name, Skip, "needs the stack (above)", ""}}
	}
	alarms, dead := d.Alarms, d.DeadLetters
	if d.Target.Local != nil {
		if dead == nil {
			dead = localDeadLetters{url: d.Target.Local.DeadLetters, c: d.httpClient()}
		}
	} else {
		if alarms == nil {
			alarms = stackAlarms{cfn: cloudformation.NewFromConfig(d.Target.AWS), cw: cloudwatch.NewFromConfig(d.Target.AWS), stack: d.Target.StackName}
		}
		if dead == nil && s.stack.Outputs["DeadLetterQueueUrl"] != "" {
			dead = queue{c: sqs.NewFromConfig(d.Target.AWS), url: s.stack.Outputs["DeadLetterQueueUrl"]}
		}
	}
	var out []Result
	if alarms != nil {
		firing, err := alarms.Firing(ctx)
		if err != nil {
			out = append(out, Result{name, Fail, "read the stack's alarms: " + err.Error(), "use AWS credentials allowed cloudwatch:DescribeAlarms and cloudformation:DescribeStackResources"})
		}
		for _, a := range firing {
			fix := "see the dead letters below"
			if fn := alarmFunction(a.Name, d.Target.StackName); fn != "" {
				fix = d.logs(fn)
			}
			out = append(out, Result{name, Fail, fmt.Sprintf("alarm %s is firing: %s", a.Name, a.Reason), fix})
		}
	}
	n := 0
	if dead != nil {
		var err error
		if n, err = dead.Count(ctx); err != nil {
			out = append(out, Result{name, Fail, "count the dead letters: " + err.Error(), ""})
		} else if n > 0 {
			out = append(out, Result{name, Fail, fmt.Sprintf("%d %s in the dead-letter queue: stream records every retry failed on", n, plural(n, "record waits", "records wait")), "read them: " + dead.Where() + "; fix the cause (the record says which function), then redeliver the events"})
		}
	}
	if len(out) > 0 {
		return out
	}
	if alarms == nil {
		return []Result{{name, OK, "no dead letters (the local stack has no CloudWatch alarms)", ""}}
	}
	return []Result{{name, OK, "no alarm is firing; the dead-letter queue is empty", ""}}
}

// alarmFunction reads the function an error alarm watches from the alarm's name, which
// CloudFormation makes <stack>-<LogicalId>-<suffix> (SlackCommandsErrorsAlarm watches
// SlackCommandsFunction).
func alarmFunction(alarm, stack string) string {
	id, ok := strings.CutPrefix(alarm, stack+"-")
	if !ok {
		return ""
	}
	if i := strings.LastIndex(id, "-"); i > 0 {
		id = id[:i]
	}
	if !strings.HasSuffix(id, "ErrorsAlarm") {
		return ""
	}
	return strings.TrimSuffix(id, "ErrorsAlarm") + "Function"
}

// stackAlarms are the CloudWatch alarms among the stack's resources.
type stackAlarms struct {
	cfn   *cloudformation.Client
	cw    *cloudwatch.Client
	stack string
}

func (a stackAlarms) Firing(ctx context.Context) ([]Alarm, error) {
	res, err := a.cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(a.stack)})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range res.StackResources {
		if aws.ToString(r.ResourceType) == "AWS::CloudWatch::Alarm" && aws.ToString(r.PhysicalResourceId) != "" {
			names = append(names, aws.ToString(r.PhysicalResourceId))
		}
	}
	var out []Alarm
	for len(names) > 0 {
		batch := names[:min(100, len(names))]
		names = names[len(batch):]
		got, err := a.cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: batch, StateValue: cwtypes.StateValueAlarm})
		if err != nil {
			return nil, err
		}
		for _, m := range got.MetricAlarms {
			out = append(out, Alarm{Name: aws.ToString(m.AlarmName), Reason: aws.ToString(m.AlarmDescription)})
		}
	}
	return out, nil
}

// queue is the stack's SQS dead-letter queue.
type queue struct {
	c   *sqs.Client
	url string
}

func (q queue) Count(ctx context.Context) (int, error) {
	out, err := q.c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(q.url), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
}

func (q queue) Where() string {
	return "aws sqs receive-message --queue-url " + q.url + " --max-number-of-messages 10 --visibility-timeout 0"
}

// localDeadLetters are the local stack's (GET /_local/deadletters).
type localDeadLetters struct {
	url string
	c   *http.Client
}

func (l localDeadLetters) Count(ctx context.Context) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, l.url, nil)
	resp, err := l.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	var list []json.RawMessage
	if err := json.Unmarshal(body, &list); err != nil {
		return 0, fmt.Errorf("%s answered %s", l.url, resp.Status)
	}
	return len(list), nil
}

func (l localDeadLetters) Where() string { return "curl -s " + l.url }
