package sprints

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/logs"
	"github.com/rituals-dev/rituals/shared/retry"
	"github.com/rituals-dev/rituals/shared/slackapp"
)

// Uploader is Slack's external file upload flow: files.getUploadURLExternal, a POST of the
// bytes to the URL it returns, then files.completeUploadExternal to share the file in a
// channel; *slack.Client is one.
type Uploader interface {
	GetUploadURLExternalContext(ctx context.Context, params slack.GetUploadURLExternalParameters) (*slack.GetUploadURLExternalResponse, error)
	UploadToURL(ctx context.Context, params slack.UploadToURLParameters) error
	CompleteUploadExternalContext(ctx context.Context, params slack.CompleteUploadExternalParameters) (*slack.CompleteUploadExternalResponse, error)
}

var _ Uploader = (*slack.Client)(nil)

// Upload shares a file in channel with the external upload flow and returns its id. Each step
// is retried on transient failures; a file uploaded but not completed is discarded by Slack,
// so a retry of the whole upload starts over with a new URL.
func Upload(ctx context.Context, api Uploader, channel, name, title, comment, alt string, content []byte) (string, error) {
	var ticket *slack.GetUploadURLExternalResponse
	err := retry.Do(ctx, func() error {
		var err error
		ticket, err = api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: name, FileSize: len(content), AltTxt: alt})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("files.getUploadURLExternal for %s: %w", name, err)
	}
	err = retry.Do(ctx, func() error {
		return api.UploadToURL(ctx, slack.UploadToURLParameters{UploadURL: ticket.UploadURL, Reader: bytes.NewReader(content), Filename: name})
	})
	if err != nil {
		return "", fmt.Errorf("upload %s: %w", name, err)
	}
	err = retry.Do(ctx, func() error {
		_, err := api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{
			Files: []slack.FileSummary{{ID: ticket.FileID, Title: title}}, Channel: channel, InitialComment: comment,
		})
		return err
	})
	if err != nil {
		return "", fmt.Errorf("files.completeUploadExternal of %s to %s: %w", ticket.FileID, channel, err)
	}
	return ticket.FileID, nil
}

// report posts the sprint's report at now in the team's channel — the figures, then the burnup
// chart uploaded as a PNG, and at the end ("end") the draft of the next planning document in
// the report's thread — each once per request.
func (p *Processor) report(ctx context.Context, cfg *config.Config, team *config.Team, sp *Sprint, now time.Time, request string) error {
	data, err := p.Store.Load(ctx, team.ID, sp.Milestone.Key)
	if err != nil {
		return err
	}
	f := Compute(sp, team, cfg, data, p.Calendar.TeamBusinessDay(cfg, team), now)
	channel := team.Slack.Channel
	final := request == "end"
	prefix := effectPrefix(sp) + "#report#" + request
	if !f.Started {
		return p.tellTeamOnce(ctx, team, prefix+"#post", fmt.Sprintf("%s has not started yet: it starts %s.", sprintName(sp), sp.Start(team).Format("Mon 2 Jan 15:04 MST")))
	}
	ts, _, err := p.Effects.Once(ctx, prefix+"#post", func(ctx context.Context) (string, error) {
		return slackapp.Post(ctx, p.Slack, channel, slackapp.Message{Text: reportText(cfg, f, final)})
	})
	if err != nil {
		return fmt.Errorf("post the report of %s: %w", sp.Milestone.Name, err)
	}
	_, ran, err := p.Effects.Once(ctx, prefix+"#chart", func(ctx context.Context) (string, error) {
		chart := ChartOf(f, team.Location())
		png, err := p.Render(chart)
		if err != nil {
			return "", err
		}
		return Upload(ctx, p.Slack, channel, chart.FileName(sp, now), chart.Title, chartComment(f, final), chart.AltText(), png)
	})
	if err != nil {
		return fmt.Errorf("upload the chart of %s: %w", sp.Milestone.Name, err)
	}
	if ran {
		p.log(ctx).Info("sprints: report posted", logs.Team, team.ID, "sprint", sp.Milestone.Name, "request", request,
			"planned", len(f.Planned), "done", f.PlannedDone, "walk_ons", len(f.WalkOns))
	}
	if final {
		next := nextSprint(team, sp)
		if _, _, err := p.Effects.Once(ctx, prefix+"#draft", func(ctx context.Context) (string, error) {
			return slackapp.Post(ctx, p.Slack, channel, slackapp.Message{Text: draftText(cfg, f, next), Thread: ts})
		}); err != nil {
			return fmt.Errorf("post the planning draft after %s: %w", sp.Milestone.Name, err)
		}
	}
	_, err = p.Store.UpdateSprint(ctx, team.ID, sp.Milestone.Key, func(x *Sprint) bool {
		if (!final || !x.Reported.IsZero()) && x.ReportTS == ts {
			return false
		}
		x.ReportTS, x.ReportChannel = ts, channel
		if final && x.Reported.IsZero() {
			x.Reported = now
		}
		return true
	})
	return err
}

// nextSprint is the sprint the config says follows sp (nil when it does not say).
func nextSprint(team *config.Team, sp *Sprint) *config.SprintDates {
	s := settings(team)
	after := sp.To.AddDays(1)
	if c := s.Cadence; c != nil {
		if next, ok := c.At(after); ok {
			return &next
		}
	}
	var best *config.SprintDates
	for i := range s.List {
		sd := s.List[i]
		if sd.From.Compare(sp.To) > 0 && (best == nil || sd.From.Compare(best.From) < 0) {
			best = &sd
		}
	}
	if best == nil && s.DueDates {
		return &config.SprintDates{From: after, To: after.AddDays(s.Length - 1)}
	}
	return best
}
