package standins

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestSlackExternalUpload: slack-go's three-step upload (getUploadURLExternal, a multipart POST
// of the bytes, completeUploadExternal with channel_id) works against the stand-in; the file is
// shared in the channel with its comment, the bytes are kept, and the upload is recorded.
func TestSlackExternalUpload(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	api := slack.New(slackToken, slack.OptionAPIURL(SlackAPIURL(srv.URL)))
	content := bytes.Repeat([]byte("\x89PNG-ish"), 100)
	sum, err := api.UploadFileContext(context.Background(), slack.UploadFileParameters{
		Reader: bytes.NewReader(content), FileSize: len(content), Filename: "burnup.png", Title: "Burnup",
		Channel: "C0TEAM0001", InitialComment: "Burnup of Sprint 1", AltTxt: "a chart",
	})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := s.SlackFile(sum.ID)
	if !ok || !f.Completed || !bytes.Equal(f.Content, content) || f.Length != len(content) || f.Received != len(content) || f.Title != "Burnup" || f.AltText != "a chart" {
		t.Fatalf("file %+v", f)
	}
	if len(f.Channels) != 1 || f.Channels[0] != "C0TEAM0001" {
		t.Errorf("shared in %v", f.Channels)
	}
	hist := slackCall(t, srv.URL, "conversations.history", slackToken, url.Values{"channel": {"C0TEAM0001"}})
	msgs, _ := hist["messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("history %v", hist)
	}
	m := msgs[0].(map[string]any)
	files, _ := m["files"].([]any)
	if m["text"] != "Burnup of Sprint 1" || len(files) != 1 || files[0].(map[string]any)["id"] != sum.ID {
		t.Errorf("share message %v", m)
	}
	ups := s.Outbox().Calls(Filter{Service: "slack", API: "upload_url"})
	if len(ups) != 1 || ups[0].Status != http.StatusOK || ups[0].Response != "OK - 800" {
		t.Fatalf("upload calls %+v", ups)
	}
	req := ups[0].Request.(map[string]any)
	if req["bytes"] != 800 || req["filename"] != "burnup.png" {
		t.Errorf("recorded upload %v", req)
	}
	resp, err := http.Get(srv.URL + SlackFilesPath + sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got, content) {
		t.Errorf("GET the file: %d bytes", len(got))
	}
	// Completing again is refused: the method can be called once per upload.
	again := slackCall(t, srv.URL, "files.completeUploadExternal", slackToken, url.Values{"files": {`[{"id":"` + sum.ID + `"}]`}, "channel_id": {"C0TEAM0001"}})
	if again["error"] != "file_not_found" {
		t.Errorf("second completion: %v", again)
	}
}

// TestSlackUploadRefusals: the arguments and the order of the steps are checked as Slack does.
func TestSlackUploadRefusals(t *testing.T) {
	t.Parallel()
	_, srv := newServer(t)
	for _, tt := range []struct {
		name, method string
		form         url.Values
		want         string
	}{
		{"no filename", "files.getUploadURLExternal", url.Values{"length": {"10"}}, "invalid_arguments"},
		{"no length", "files.getUploadURLExternal", url.Values{"filename": {"a.png"}}, "invalid_arguments"},
		{"length not a number", "files.getUploadURLExternal", url.Values{"filename": {"a.png"}, "length": {"ten"}}, "invalid_arguments"},
		{"length 0", "files.getUploadURLExternal", url.Values{"filename": {"a.png"}, "length": {"0"}}, "missing_argument"},
		{"alt text too long", "files.getUploadURLExternal", url.Values{"filename": {"a.png"}, "length": {"10"}, "alt_txt": {strings.Repeat("x", 1001)}}, "alt_txt_too_large"},
		{"no files", "files.completeUploadExternal", url.Values{"channel_id": {"C1"}}, "invalid_arguments"},
		{"unknown file", "files.completeUploadExternal", url.Values{"files": {`[{"id":"F404"}]`}, "channel_id": {"C1"}}, "file_not_found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := slackCall(t, srv.URL, tt.method, slackToken, tt.form); got["error"] != tt.want {
				t.Errorf("%s: %v, want %s", tt.method, got, tt.want)
			}
		})
	}
	// Completing a file whose bytes never arrived is refused.
	ticket := slackCall(t, srv.URL, "files.getUploadURLExternal", slackToken, url.Values{"filename": {"a.png"}, "length": {"3"}})
	id, _ := ticket["file_id"].(string)
	if got := slackCall(t, srv.URL, "files.completeUploadExternal", slackToken, url.Values{"files": {`[{"id":"` + id + `"}]`}}); got["error"] != "file_not_found" {
		t.Errorf("complete before upload: %v", got)
	}
	// A raw-bytes upload is taken too, and answered with its size.
	resp, err := http.Post(ticket["upload_url"].(string), "application/octet-stream", strings.NewReader("abc"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "OK - 3" {
		t.Errorf("raw upload: %d %s", resp.StatusCode, body)
	}
}

// TestSlackUploadNeedsFilesWrite: a token without files:write gets missing_scope, naming it.
func TestSlackUploadNeedsFilesWrite(t *testing.T) {
	t.Parallel()
	s, srv := newServer(t)
	s.slackApps.mu.Lock()
	s.slackApps.tokens["xoxb-narrow"] = []string{"chat:write"}
	s.slackApps.mu.Unlock()
	got := slackCall(t, srv.URL, "files.getUploadURLExternal", "xoxb-narrow", url.Values{"filename": {"a.png"}, "length": {"3"}})
	if got["error"] != "missing_scope" || got["needed"] != "files:write" || got["provided"] != "chat:write" {
		t.Errorf("narrow token: %v", got)
	}
}
