package support

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/clip"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/slackapp"
	"github.com/rituals-dev/rituals/shared/store"
)

// Question is a top-level message in a team's support channel from someone outside the team.
type Question struct {
	Channel  string
	TS       string
	User     string
	Text     string
	Asked    time.Time
	Answered bool
}

// QuestionRetention is how long a question is remembered (and so listed while unanswered).
const QuestionRetention = 14 * 24 * time.Hour

// messageEvent is the part of a Slack message event the questions need.
type messageEvent struct {
	Event struct {
		Type     string `json:"type"`
		Subtype  string `json:"subtype"`
		Channel  string `json:"channel"`
		User     string `json:"user"`
		BotID    string `json:"bot_id"`
		Text     string `json:"text"`
		TS       string `json:"ts"`
		ThreadTS string `json:"thread_ts"`
	} `json:"event"`
}

// slackTime converts a message ts ("1355517523.000005") to a time.
func slackTime(ts string) (time.Time, error) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("bad Slack ts %q", ts)
	}
	us, _ := strconv.ParseInt((frac + "000000")[:6], 10, 64)
	return time.Unix(s, us*1000).UTC(), nil
}

// Message records simple questions from a Slack message event: a top-level message in a
// team's support channel from someone who is not a team member (bots and edits, joins and
// other subtypes aside) becomes a question; a thread reply by a team member answers it.
func (p *Processor) Message(ctx context.Context, e store.Event) error {
	var m messageEvent
	if err := json.Unmarshal(e.Payload, &m); err != nil {
		p.log(ctx).Error("support: undecodable Slack message event", logs.Key, e.Key, logs.Err, err.Error())
		return nil
	}
	ev := m.Event
	if ev.Type != "message" || ev.BotID != "" || ev.User == "" || (ev.Subtype != "" && ev.Subtype != "thread_broadcast") {
		return nil
	}
	cfg, err := p.Config.Current(ctx, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("support: config: %w", err)
	}
	asked, err := slackTime(ev.TS)
	if err != nil {
		p.log(ctx).Error("support: Slack message without a ts", logs.Key, e.Key)
		return nil
	}
	person := cfg.PersonBySlack(ev.User)
	var errs []error
	for _, team := range cfg.Teams {
		if team.Support == nil || team.Slack.SupportChannel != ev.Channel {
			continue
		}
		member := person != nil && team.HasMember(person.ID)
		reply := ev.ThreadTS != "" && ev.ThreadTS != ev.TS
		switch {
		case reply && member:
			errs = append(errs, p.Store.answer(ctx, team.ID, ev.ThreadTS, person.ID))
		case !reply && !member:
			errs = append(errs, p.Store.ask(ctx, team.ID, Question{Channel: ev.Channel, TS: ev.TS, User: ev.User, Text: ev.Text, Asked: asked}))
		}
	}
	return errors.Join(errs...)
}

func questionSK(ts string) string { return "Q#" + ts }

// ask stores a question once (a redelivered event must not reset its answered flag).
func (st Store) ask(ctx context.Context, team string, q Question) error {
	_, err := st.API.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(st.Table),
		Item: map[string]types.AttributeValue{
			"pk": store.S(teamPK(team)), "sk": store.S(questionSK(q.TS)),
			"channel": store.S(q.Channel), "user": store.S(q.User), "text": store.S(clip.Runes(q.Text, 300)),
			"asked": store.S(utc(q.Asked)), "answered": &types.AttributeValueMemberBOOL{Value: false},
			"expires": store.N(q.Asked.Add(QuestionRetention).Unix()),
		},
		ConditionExpression: aws.String("attribute_not_exists(pk)"),
	})
	var cond *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &cond) {
		return fmt.Errorf("record question %s of team %s: %w", q.TS, team, err)
	}
	return nil
}

// answer marks the question a thread belongs to as answered, when it is one.
func (st Store) answer(ctx context.Context, team, threadTS, by string) error {
	_, err := st.API.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(st.Table),
		Key:                       store.Key(teamPK(team), questionSK(threadTS)),
		UpdateExpression:          aws.String("SET answered = :t, answered_by = :by"),
		ConditionExpression:       aws.String("attribute_exists(pk)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}, ":by": store.S(by)},
	})
	var cond *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &cond) {
		return fmt.Errorf("answer question %s of team %s: %w", threadTS, team, err)
	}
	return nil
}

// Unanswered returns the team's unanswered questions asked before before, oldest first, with
// one Query.
func (st Store) Unanswered(ctx context.Context, team string, before time.Time) ([]Question, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		FilterExpression:       aws.String("answered = :f"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":from": store.S("Q#"),
			":to": store.S(questionSK(strconv.FormatInt(before.Unix(), 10))), ":f": &types.AttributeValueMemberBOOL{Value: false},
		},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("unanswered questions of team %s: %w", team, err)
	}
	var out []Question
	for _, it := range items {
		q := Question{Channel: store.Str(it, "channel"), TS: strings.TrimPrefix(store.Str(it, "sk"), "Q#"), User: store.Str(it, "user"), Text: store.Str(it, "text")}
		q.Asked, _ = time.Parse(time.RFC3339, store.Str(it, "asked"))
		out = append(out, q)
	}
	return out, nil
}

// QuestionsDigest renders the DM listing unanswered questions for the engineer on rotation.
func QuestionsDigest(cfg *config.Config, team *config.Team, qs []Question, now time.Time) string {
	var lines []string
	for _, q := range qs {
		lines = append(lines, fmt.Sprintf("• <%s|%s ago> <@%s>: %s", permalink(q.Channel, q.TS), human(now.Sub(q.Asked)), q.User, slackapp.Escape(clip.Runes(strings.ReplaceAll(q.Text, "\n", " "), 150))))
	}
	return listText(fmt.Sprintf(":question: %d question(s) in <#%s> have had no answer from %s for over a business day:", len(qs), team.Slack.SupportChannel, slackapp.Escape(team.Name)), lines)
}
