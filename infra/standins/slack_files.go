package standins

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Slack's external file upload, as the Web API documents it (api.slack.com/methods/
// files.getUploadURLExternal and files.completeUploadExternal; files.upload is retired):
//
//  1. files.getUploadURLExternal (files:write) with filename and length (bytes) answers
//     {upload_url, file_id}; a length of 0 is missing_argument, an alt_txt over 1,000
//     characters alt_txt_too_large.
//  2. The bytes are POSTed to upload_url, raw or as a multipart form; Slack answers 200
//     "OK - <bytes>". The URL needs no token.
//  3. files.completeUploadExternal (files:write) with files=[{"id", "title"}] and channel_id
//     (or channels) shares the file there, with initial_comment as its message text, in
//     thread_ts's thread when given. It can be called once per file; without a channel the
//     file stays private. A file id that was never issued, never received its bytes, or was
//     completed already is file_not_found here.
//
// The stand-in keeps each file's bytes, so a test (or a person) can look at what was shared:
// GET /_standins/slack/files/<id>, or Server.SlackFile.

// SlackUploadPath is where upload URLs point; SlackFilesPath serves uploaded files back.
const (
	SlackUploadPath = "/_standins/slack/upload/"
	SlackFilesPath  = "/_standins/slack/files/"
)

// SlackFile is a file uploaded through the external upload flow.
type SlackFile struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	AltText  string `json:"alt_txt,omitempty"`
	Length   int    `json:"length"`
	Received int    `json:"received"`
	Mimetype string `json:"mimetype,omitempty"`
	// Channels are where completeUploadExternal shared it (none: private or not completed).
	Channels  []string `json:"channels,omitempty"`
	Uploaded  bool     `json:"uploaded"`
	Completed bool     `json:"completed"`
	Content   []byte   `json:"-"`
}

// slackMethodScope is the scope a method needs beyond a valid token; Slack answers
// missing_scope without it.
var slackMethodScope = map[string]string{
	"files.getUploadURLExternal":   "files:write",
	"files.completeUploadExternal": "files:write",
}

func (a *slackAPI) getUploadURLExternal(p slackParams, base string) map[string]any {
	name := p.str("filename")
	length, err := strconv.Atoi(p.str("length"))
	switch {
	case name == "" || p.str("length") == "" || err != nil || length < 0:
		return slackErr("invalid_arguments")
	case length == 0:
		return slackErr("missing_argument")
	case utf8.RuneCountInString(p.str("alt_txt")) > 1000:
		return slackErr("alt_txt_too_large")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fileSeq++
	id := fmt.Sprintf("F0LOCAL%05d", a.fileSeq)
	a.files[id] = &SlackFile{ID: id, Name: name, AltText: p.str("alt_txt"), Length: length}
	return slackOK(map[string]any{"upload_url": strings.TrimSuffix(base, "/") + SlackUploadPath + id, "file_id": id})
}

func (a *slackAPI) completeUploadExternal(p slackParams) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	raw, ok := p.obj("files")
	if !ok {
		return slackErr("invalid_arguments")
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &files); err != nil || len(files) == 0 {
		return slackErr("invalid_arguments")
	}
	var channels []string
	if ch := p.str("channel_id"); ch != "" {
		channels = append(channels, ch)
	}
	for _, ch := range strings.Split(p.str("channels"), ",") {
		if ch = strings.TrimSpace(ch); ch != "" {
			channels = append(channels, ch)
		}
	}
	thread := p.str("thread_ts")
	if thread != "" && len(channels) != 1 {
		return slackErr("invalid_arguments")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, f := range files {
		sf := a.files[f.ID]
		if sf == nil || !sf.Uploaded || sf.Completed {
			return slackErr("file_not_found")
		}
	}
	var out []any
	var shared []any
	for _, f := range files {
		sf := a.files[f.ID]
		sf.Completed, sf.Title = true, f.Title
		if sf.Title == "" {
			sf.Title = sf.Name
		}
		sf.Channels = append(sf.Channels, channels...)
		out = append(out, map[string]any{"id": sf.ID, "title": sf.Title})
		shared = append(shared, map[string]any{"id": sf.ID, "name": sf.Name, "title": sf.Title, "mimetype": sf.Mimetype,
			"filetype": strings.TrimPrefix(sf.Mimetype, "image/"), "size": sf.Received, "alt_txt": sf.AltText})
	}
	for _, ch := range channels {
		ch = channelFor(ch)
		m := map[string]any{"type": "message", "subtype": "file_share", "ts": a.nextTS(), "user": SlackBotUser, "bot_id": SlackBotID,
			"text": p.str("initial_comment"), "files": shared, "upload": true}
		if thread != "" {
			m["thread_ts"] = thread
		}
		a.channels[ch] = append(a.channels[ch], m)
	}
	return slackOK(map[string]any{"files": out})
}

// serveUpload takes a file's bytes at its upload URL, raw or as a multipart form (the first
// file part), answers "OK - <bytes>" as Slack does, and records the upload in the outbox
// (size, type and digest, never the bytes).
func (a *slackAPI) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	call := Call{Service: "slack", Method: r.Method, Path: "/upload/" + id, API: "upload_url", Authorized: true}
	respond := func(status int, text string, req map[string]any) {
		call.Status, call.Request, call.Response = status, req, text
		a.s.outbox.Record(call)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}
	if r.Method != http.MethodPost {
		respond(http.StatusMethodNotAllowed, "method not allowed", nil)
		return
	}
	body, err := readBody(r)
	if err != nil {
		respond(http.StatusBadRequest, "could not read the body", nil)
		return
	}
	content, mimetype, filename := body, r.Header.Get("Content-Type"), ""
	if mt, params, err := mime.ParseMediaType(mimetype); err == nil && mt == "multipart/form-data" {
		content, mimetype, filename = nil, "", ""
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FileName() != "" {
				content, _ = io.ReadAll(part)
				filename, mimetype = part.FileName(), part.Header.Get("Content-Type")
				break
			}
		}
		if content == nil {
			respond(http.StatusBadRequest, "no file in the form", map[string]any{"file_id": id})
			return
		}
	}
	if mimetype == "" || mimetype == "application/octet-stream" {
		mimetype = http.DetectContentType(content)
	}
	sum := sha256.Sum256(content)
	req := map[string]any{"file_id": id, "bytes": len(content), "content_type": mimetype, "sha256": hex.EncodeToString(sum[:])}
	if filename != "" {
		req["filename"] = filename
	}
	a.mu.Lock()
	f := a.files[id]
	if f != nil && !f.Completed {
		f.Content, f.Received, f.Mimetype, f.Uploaded = content, len(content), mimetype, true
		req["length"] = f.Length
	}
	a.mu.Unlock()
	if f == nil {
		respond(http.StatusNotFound, "Not Found", req)
		return
	}
	respond(http.StatusOK, fmt.Sprintf("OK - %d", len(content)), req)
}

// serveFile answers GET /_standins/slack/files/<id> with an uploaded file's bytes.
func (a *slackAPI) serveFile(w http.ResponseWriter, r *http.Request) {
	f, ok := a.s.SlackFile(r.PathValue("id"))
	if !ok || !f.Uploaded {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.Mimetype)
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", f.Name))
	_, _ = w.Write(f.Content)
}

// SlackFile returns an uploaded file (its bytes included) by id.
func (s *Server) SlackFile(id string) (SlackFile, bool) {
	s.slack.mu.Lock()
	defer s.slack.mu.Unlock()
	f, ok := s.slack.files[id]
	if !ok {
		return SlackFile{}, false
	}
	return *f, true
}

// requestBase is the scheme and host a request came to, for URLs pointing back at the stand-in.
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
