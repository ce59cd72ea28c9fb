package support

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/store"
)

// OverrideKind says how an override changes the rotation.
type OverrideKind string

const (
	// Swap gives a whole week to Member (a /support swap writes two: one per week).
	Swap OverrideKind = "swap"
	// Cover gives the days From..To of a week to Member (/support override).
	Cover OverrideKind = "cover"
)

// Override is one change to a team's base rotation, stored per rotation week. Where several
// apply to the same moment, the one made last wins.
type Override struct {
	Week   int
	Kind   OverrideKind
	Member string
	// From and To bound a Cover (inclusive days in the team's time zone).
	From, To config.Date
	By       string
	Made     time.Time
	// seq orders overrides made in the same second (their sort key).
	seq string
}

// applies reports whether o covers day d of its week.
func (o Override) applies(d config.Date) bool {
	if o.Kind == Swap {
		return true
	}
	return config.DateRange{From: o.From, To: o.To}.Contains(d)
}

// Audit is one change to the rotation, with who made it.
type Audit struct {
	By   string
	Made time.Time
	What string
}

// Duty is who is on support at an instant.
type Duty struct {
	// Shift is the base (config) shift covering the instant.
	Shift config.Shift
	// Member is the person on duty once overrides are applied.
	Member string
	// Override is the override that applies, if any.
	Override *Override
}

func weekKey(w int) string { return fmt.Sprintf("ROT#%08d", w+10_000_000) }

// ShiftOfWeek returns the base shift of rotation week w.
func ShiftOfWeek(team *config.Team, w int) config.Shift {
	r := team.Support.Rotation
	return r.At(r.Handover.Time.On(r.Start.AddDays(7*w), team.Location()))
}

// Overrides returns the team's overrides of weeks from..to (inclusive), with one Query.
func (st Store) Overrides(ctx context.Context, team string, from, to int) ([]Override, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":from": store.S(weekKey(from) + "#"), ":to": store.S(weekKey(to) + "#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("rotation overrides of team %s: %w", team, err)
	}
	out := make([]Override, 0, len(items))
	for _, it := range items {
		o := Override{Week: int(store.Int(it, "week")), Kind: OverrideKind(store.Str(it, "kind")), Member: store.Str(it, "member"), By: store.Str(it, "by"), seq: store.Str(it, "sk")}
		o.Made, _ = time.Parse(time.RFC3339, store.Str(it, "made"))
		if o.Kind == Cover {
			o.From, _ = config.ParseDate(store.Str(it, "from"))
			o.To, _ = config.ParseDate(store.Str(it, "to"))
		}
		out = append(out, o)
	}
	return out, nil
}

// SaveOverrides stores overrides and the audit record of the change in one transaction.
func (st Store) SaveOverrides(ctx context.Context, team string, os []Override, a Audit) error {
	var items []types.TransactWriteItem
	for _, o := range os {
		item := map[string]types.AttributeValue{
			"pk": store.S(teamPK(team)), "sk": store.S(weekKey(o.Week) + "#" + utc(o.Made) + "#" + randomHex()),
			"week": store.N(int64(o.Week)), "kind": store.S(string(o.Kind)), "member": store.S(o.Member),
			"by": store.S(o.By), "made": store.S(utc(o.Made)),
		}
		if o.Kind == Cover {
			item["from"], item["to"] = store.S(o.From.String()), store.S(o.To.String())
		}
		items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: item}})
	}
	items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: aws.String(st.Table), Item: map[string]types.AttributeValue{
		"pk": store.S(teamPK(team)), "sk": store.S("AUDIT#" + utc(a.Made) + "#" + randomHex()),
		"by": store.S(a.By), "made": store.S(utc(a.Made)), "what": store.S(a.What),
	}}})
	if _, err := st.API.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items}); err != nil {
		return fmt.Errorf("save rotation change of team %s: %w", team, err)
	}
	return nil
}

// AuditLog returns the team's rotation changes made at or after since, oldest first.
func (st Store) AuditLog(ctx context.Context, team string, since time.Time) ([]Audit, error) {
	items, err := store.QueryAll(ctx, st.API, &dynamodb.QueryInput{
		TableName:              aws.String(st.Table),
		KeyConditionExpression: aws.String("pk = :pk AND sk BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": store.S(teamPK(team)), ":from": store.S("AUDIT#" + utc(since)), ":to": store.S("AUDIT#~"),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("rotation audit of team %s: %w", team, err)
	}
	var out []Audit
	for _, it := range items {
		a := Audit{By: store.Str(it, "by"), What: store.Str(it, "what")}
		a.Made, _ = time.Parse(time.RFC3339, store.Str(it, "made"))
		out = append(out, a)
	}
	return out, nil
}

func randomHex() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// DutyAt applies overrides (of any weeks; those of other weeks are ignored) to the base shift
// covering t.
func DutyAt(team *config.Team, overrides []Override, t time.Time) Duty {
	shift := team.Support.Rotation.At(t)
	d := Duty{Shift: shift, Member: shift.Member}
	day := config.DateOf(t.In(team.Location()))
	for i := range overrides {
		o := overrides[i]
		if o.Week != shift.Week || !o.applies(day) {
			continue
		}
		if d.Override == nil || later(o, *d.Override) {
			d.Override = &o
			d.Member = o.Member
		}
	}
	return d
}

// weekMember is who holds week w as a whole: the latest swap of the week, or the base member.
func weekMember(team *config.Team, overrides []Override, w int) string {
	member := ShiftOfWeek(team, w).Member
	var best *Override
	for i := range overrides {
		o := overrides[i]
		if o.Week == w && o.Kind == Swap && (best == nil || later(o, *best)) {
			best = &o
		}
	}
	if best != nil {
		member = best.Member
	}
	return member
}

// later reports whether a takes precedence over b: made later; made in the same second, a
// cover (days) before a swap (a whole week), as the more specific.
func later(a, b Override) bool {
	if !a.Made.Equal(b.Made) {
		return a.Made.After(b.Made)
	}
	if a.Kind != b.Kind {
		return a.Kind == Cover
	}
	return a.seq > b.seq
}

// OnDuty returns who is on support for team at t, with one Query for the week's overrides.
func (st Store) OnDuty(ctx context.Context, team *config.Team, t time.Time) (Duty, error) {
	w := team.Support.Rotation.At(t).Week
	os, err := st.Overrides(ctx, team.ID, w, w)
	if err != nil {
		return Duty{}, err
	}
	return DutyAt(team, os, t), nil
}

// PlanSwap works out a swap of a's and b's next shifts from now: each one's current week when
// on duty now, else their first upcoming week (whole weeks, after earlier swaps). It returns
// the two overrides to store, or an error naming whoever has no shift in the horizon.
func PlanSwap(team *config.Team, overrides []Override, now time.Time, a, b string, by string) ([]Override, error) {
	if a == b {
		return nil, fmt.Errorf("swap needs two different people")
	}
	w0 := team.Support.Rotation.At(now).Week
	horizon := SwapHorizon(team)
	next := func(who string, skip int) (int, bool) {
		for w := w0; w <= w0+horizon; w++ {
			if w != skip && weekMember(team, overrides, w) == who {
				return w, true
			}
		}
		return 0, false
	}
	wa, okA := next(a, w0-1)
	if !okA {
		return nil, fmt.Errorf("%s has no support week in the next %d weeks; use `/support override` to have them cover days instead", a, horizon)
	}
	wb, okB := next(b, wa)
	if !okB {
		return nil, fmt.Errorf("%s has no support week in the next %d weeks; use `/support override` to have them cover days instead", b, horizon)
	}
	return []Override{
		{Week: wa, Kind: Swap, Member: b, By: by, Made: now},
		{Week: wb, Kind: Swap, Member: a, By: by, Made: now},
	}, nil
}

// SwapHorizon is how many weeks ahead PlanSwap looks: two full turns of the rotation.
func SwapHorizon(team *config.Team) int { return 2*len(team.Support.Rotation.Members) + 1 }

// MaxCoverDays bounds an override's length.
const MaxCoverDays = 31

// PlanCover works out the overrides that make who cover the days from..to (inclusive, in the
// team's time zone): one per rotation week those days touch.
func PlanCover(team *config.Team, who string, from, to config.Date, by string, now time.Time) ([]Override, error) {
	if to.Compare(from) < 0 {
		return nil, fmt.Errorf("the override ends (%s) before it starts (%s)", to, from)
	}
	if days := int(to.In(time.UTC).Sub(from.In(time.UTC)).Hours()/24) + 1; days > MaxCoverDays {
		return nil, fmt.Errorf("the override is %d days long; at most %d at a time", days, MaxCoverDays)
	}
	loc := team.Location()
	last := to.AddDays(1).In(loc).Add(-time.Second)
	if last.Before(now) {
		return nil, fmt.Errorf("the override (%s to %s) is entirely in the past", from, to)
	}
	rot := team.Support.Rotation
	var out []Override
	for w := rot.At(from.In(loc)).Week; w <= rot.At(last).Week; w++ {
		out = append(out, Override{Week: w, Kind: Cover, Member: who, From: from, To: to, By: by, Made: now})
	}
	return out, nil
}
