package setup

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/rituals-dev/rituals/infra/deployment"
	"github.com/rituals-dev/rituals/shared/config"
	"github.com/rituals-dev/rituals/shared/slackinstall"
)

// SlackOptions configure Slack.
type SlackOptions struct {
	// ConfigToken is a Slack app configuration token (xoxe.xoxp-…).
	ConfigToken string
	// Manifest is the manifest file; infra/slack/manifest.yaml when empty.
	Manifest string
	// BotToken, when set, is stored as the bot token instead of waiting for the install.
	BotToken string
	// PrintManifest prints the filled-in manifest and does nothing else.
	PrintManifest bool
	// Open opens a URL in the browser; nil only prints it.
	Open func(url string) error
	// In is where a pasted bot token is read from (nil: none).
	In io.Reader
	// Wait bounds the wait for the install; 15 minutes when zero.
	Wait time.Duration
	// PollEvery spaces out the checks for the stored bot token; 2 seconds when zero.
	PollEvery time.Duration
	// Now is the wall clock the install link's expiry is set from; time.Now when nil.
	Now func() time.Time
	Out io.Writer
}

type slackParams struct{ signing, bot, clientID, clientSecret, appID string }

// Slack creates the Rituals Slack app from the manifest with the stack's URLs (or updates the
// app remembered in SSM), stores its signing secret and OAuth credentials in SSM, and has it
// installed: the install link leads back to the stack's /slack/oauth route, which stores the
// bot token (a pasted token is taken too). Nothing is half-written: a failure after the app was
// created deletes it and takes back the parameters.
func Slack(ctx context.Context, t *deployment.Target, o SlackOptions) error {
	if o.Manifest == "" {
		o.Manifest = "infra/slack/manifest.yaml"
	}
	if o.Wait <= 0 {
		o.Wait = 15 * time.Minute
	}
	if o.PollEvery <= 0 {
		o.PollEvery = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	st, err := t.Describe(ctx)
	if err != nil {
		return err
	}
	m, err := FillManifest(o.Manifest, st.Outputs)
	if err != nil {
		return err
	}
	if o.PrintManifest {
		var pretty bytes.Buffer
		_ = json.Indent(&pretty, m.JSON, "", "  ")
		fmt.Fprintln(o.Out, pretty.String())
		return nil
	}
	if !strings.HasPrefix(o.ConfigToken, "xoxe.") {
		return errors.New("--config-token needs a Slack app configuration token (xoxe.xoxp-…): generate one at https://api.slack.com/apps → \"Your App Configuration Tokens\" → Generate Token, then run rituals setup slack --config-token xoxe.xoxp-…")
	}
	var ps slackParams
	for key, dst := range map[string]*string{"SlackSigningSecretParam": &ps.signing, "SlackBotTokenParam": &ps.bot, "SlackClientIdParam": &ps.clientID, "SlackClientSecretParam": &ps.clientSecret} {
		if *dst, err = st.Parameter(key); err != nil {
			return err
		}
	}
	if ps.appID, err = st.SetupParam("SlackSigningSecretParam", "slack-app-id"); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "rituals setup slack: stack %s (%s); Slack will call %s\n", st.Name, t.Region, strings.TrimSuffix(st.Outputs["ApiUrl"], "/"))
	api := t.Slack("")
	if resp, err := api.ValidateManifestRawContext(ctx, m.JSON, o.ConfigToken, ""); err != nil {
		return manifestError(o.Manifest, resp, err)
	}
	appID, _, exists, err := getParam(ctx, t.SSM, ps.appID)
	if err != nil {
		return err
	}
	install := false
	var authorize string
	if exists {
		resp, err := api.UpdateManifestRawContext(ctx, m.JSON, o.ConfigToken, appID)
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "invalid_app_id" {
			return fmt.Errorf("the Slack app %s remembered in SSM (%s) no longer exists: delete the parameter (aws ssm delete-parameter --name %s) and run rituals setup slack again to create a new app", appID, ps.appID, ps.appID)
		}
		if err != nil {
			return manifestError(o.Manifest, nil, err)
		}
		fmt.Fprintf(o.Out, "Updated Slack app %s from %s (remembered in %s).\n", appID, o.Manifest, ps.appID)
		if _, _, ok, err := getParam(ctx, t.SSM, ps.signing); err != nil || !ok {
			return errors.Join(err, fmt.Errorf("the signing secret is not in SSM: copy \"Signing Secret\" from https://api.slack.com/apps/%s/general and run: aws ssm put-parameter --type SecureString --name %s --value SECRET", appID, ps.signing))
		}
		install = resp.PermissionsUpdated
		if install {
			fmt.Fprintln(o.Out, "The app's scopes changed: Slack wants it installed again.")
		}
	} else {
		if err := checkWritable(ctx, t.SSM, ps.appID[:strings.LastIndex(ps.appID, "/")]); err != nil {
			return err
		}
		created, err := createSlackApp(ctx, t, api, o, m, ps)
		if err != nil {
			return err
		}
		appID, install, authorize = created.AppId, true, created.OAuthAuthorizeUrl
	}
	if err := ensureWebSessionKey(ctx, t, st, o.Out); err != nil {
		return err
	}
	if o.BotToken != "" {
		return storeBotToken(ctx, t, o, ps, o.BotToken, st)
	}
	if !install {
		if tok, _, ok, err := getParam(ctx, t.SSM, ps.bot); err == nil && ok {
			if id, err := t.SlackAuth(ctx, tok); err == nil {
				fmt.Fprintf(o.Out, "The bot token in %s works (workspace %s, bot @%s).\n", ps.bot, id.Team, id.User)
				return nextSteps(ctx, t, o, st, m)
			}
		}
		install = true
	}
	link, err := installLink(ctx, t, o, st, ps, appID, authorize, m)
	if err != nil {
		return err
	}
	return awaitBotToken(ctx, t, o, st, ps, link, m)
}

// createSlackApp creates the app and stores its credentials; on failure it deletes the app and
// takes back the parameters.
func createSlackApp(ctx context.Context, t *deployment.Target, api *slack.Client, o SlackOptions, m SlackManifest, ps slackParams) (*slack.ManifestResponse, error) {
	resp, err := api.CreateManifestRawContext(ctx, m.JSON, o.ConfigToken)
	if err != nil {
		return nil, manifestError(o.Manifest, resp, err)
	}
	c := resp.Credentials
	if c == nil || c.SigningSecret == "" || c.ClientSecret == "" {
		_, derr := api.DeleteManifestContext(context.Background(), o.ConfigToken, resp.AppId)
		return nil, errors.Join(fmt.Errorf("Slack created app %s without credentials; it was deleted, run rituals setup slack again", resp.AppId), derr)
	}
	tx := &paramTx{p: t.SSM}
	for _, kv := range [][2]string{{ps.signing, c.SigningSecret}, {ps.clientID, c.ClientId}, {ps.clientSecret, c.ClientSecret}, {ps.appID, resp.AppId}} {
		if err := tx.Put(ctx, kv[0], kv[1]); err != nil {
			errs := []error{err}
			if rerr := tx.Rollback(); rerr != nil {
				errs = append(errs, rerr)
			}
			if _, derr := api.DeleteManifestContext(context.Background(), o.ConfigToken, resp.AppId); derr != nil {
				errs = append(errs, fmt.Errorf("delete the new app %s at https://api.slack.com/apps/%s/general (\"Delete App\"): %w", resp.AppId, resp.AppId, derr))
			} else {
				errs = append(errs, fmt.Errorf("the new app %s was deleted and nothing was kept in SSM; run rituals setup slack again once SSM accepts writes", resp.AppId))
			}
			return nil, errors.Join(errs...)
		}
	}
	fmt.Fprintf(o.Out, "Created Slack app %s; its signing secret and OAuth credentials are in SSM (%s, %s, %s), its id in %s.\n",
		resp.AppId, ps.signing, ps.clientID, ps.clientSecret, ps.appID)
	return resp, nil
}

// manifestError turns a manifest API refusal into what to do.
func manifestError(file string, resp *slack.ManifestResponse, err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_auth", "not_authed", "token_expired", "token_revoked":
			return fmt.Errorf("Slack refused the app configuration token (%s): they last 12 hours; generate a new one at https://api.slack.com/apps → \"Your App Configuration Tokens\"", se.Err)
		case "not_allowed_token_type":
			return errors.New("that is not an app configuration token (xoxe.xoxp-…): generate one at https://api.slack.com/apps → \"Your App Configuration Tokens\"")
		case "invalid_manifest":
			var lines []string
			if resp != nil {
				for _, e := range resp.Errors {
					lines = append(lines, "  "+e.Pointer+": "+e.Message)
				}
			}
			return fmt.Errorf("Slack rejected %s:\n%s\nfix the file and run rituals setup slack again", file, strings.Join(lines, "\n"))
		}
	}
	return fmt.Errorf("Slack App Manifest API: %w", err)
}

// installLink is the link that installs the app: Slack's authorize page with a state signed by
// the client secret, leading back to the stack's /slack/oauth route; for a stack without that
// route, the app's own install page (the token is then pasted).
func installLink(ctx context.Context, t *deployment.Target, o SlackOptions, st deployment.Stack, ps slackParams, appID, authorize string, m SlackManifest) (string, error) {
	if st.Outputs["SlackOAuthUrl"] == "" {
		return "https://api.slack.com/apps/" + appID + "/install-on-team", nil
	}
	secret, _, ok, err := getParam(ctx, t.SSM, ps.clientSecret)
	if err != nil {
		return "", err
	}
	clientID, _, okID, err := getParam(ctx, t.SSM, ps.clientID)
	if err != nil {
		return "", err
	}
	if !ok || !okID {
		return "", fmt.Errorf("the app's OAuth credentials are not in SSM (%s, %s): copy Client ID and Client Secret from https://api.slack.com/apps/%s/general into them (aws ssm put-parameter --type SecureString ...), then run rituals setup slack again", ps.clientID, ps.clientSecret, appID)
	}
	if authorize == "" {
		authorize = t.SlackWeb + "oauth/v2/authorize?" + url.Values{"client_id": {clientID}, "scope": {strings.Join(m.BotScopes, ",")}}.Encode()
	}
	u, err := url.Parse(authorize)
	if err != nil {
		return "", fmt.Errorf("install link %q: %w", authorize, err)
	}
	q := u.Query()
	q.Set("state", slackinstall.SignState(secret, o.Now().Add(slackinstall.StateTTL)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// awaitBotToken shows the install link and waits until the route has stored a new bot token in
// SSM, or one is pasted, then checks it with auth.test.
func awaitBotToken(ctx context.Context, t *deployment.Target, o SlackOptions, st deployment.Stack, ps slackParams, link string, m SlackManifest) error {
	_, before, _, err := getParam(ctx, t.SSM, ps.bot)
	if err != nil {
		return err
	}
	viaRoute := st.Outputs["SlackOAuthUrl"] != ""
	fmt.Fprintf(o.Out, "Install the app in your workspace (press \"Allow\"):\n  %s\n", link)
	if viaRoute {
		fmt.Fprintln(o.Out, "Slack then sends you to the stack's /slack/oauth page, which stores the bot token; this command waits for it.")
	}
	if o.In != nil {
		fmt.Fprintln(o.Out, "Or paste the Bot User OAuth Token (xoxb-…, from the app's \"OAuth & Permissions\" page) here:")
	}
	if o.Open != nil {
		if err := o.Open(link); err != nil {
			fmt.Fprintf(o.Out, "(could not open a browser: %v; open the link yourself)\n", err)
		}
	}
	pasted := make(chan string, 1)
	if o.In != nil {
		go func() {
			sc := bufio.NewScanner(o.In)
			for sc.Scan() {
				line := strings.TrimSpace(sc.Text())
				if strings.HasPrefix(line, "xoxb-") {
					pasted <- line
					return
				}
				if line != "" {
					fmt.Fprintln(o.Out, "That is not a bot token: paste the one starting xoxb-.")
				}
			}
		}()
	}
	wait, cancel := context.WithTimeout(ctx, o.Wait)
	defer cancel()
	tick := time.NewTicker(o.PollEvery)
	defer tick.Stop()
	for {
		select {
		case tok := <-pasted:
			return storeBotToken(ctx, t, o, ps, tok, st)
		case <-wait.Done():
			return fmt.Errorf("the app was not installed within %s: open %s, press Allow, then run rituals setup slack again (it updates the same app)", o.Wait, link)
		case <-tick.C:
		}
		if !viaRoute {
			continue
		}
		tok, version, ok, err := getParam(wait, t.SSM, ps.bot)
		if err != nil || !ok || version == before {
			continue
		}
		id, err := t.SlackAuth(ctx, tok)
		if err != nil {
			return fmt.Errorf("the bot token the install stored in %s does not work (%w): install the app again from %s", ps.bot, err, link)
		}
		fmt.Fprintf(o.Out, "Installed in %s; the bot @%s's token is in %s.\n", id.Team, id.User, ps.bot)
		return nextSteps(ctx, t, o, st, m)
	}
}

func storeBotToken(ctx context.Context, t *deployment.Target, o SlackOptions, ps slackParams, token string, st deployment.Stack) error {
	if !strings.HasPrefix(token, "xoxb-") {
		return errors.New("the bot token starts with xoxb- (the app's \"OAuth & Permissions\" page → Bot User OAuth Token)")
	}
	id, err := t.SlackAuth(ctx, token)
	if err != nil {
		return fmt.Errorf("Slack refused the bot token (%w): copy it again from the app's \"OAuth & Permissions\" page; nothing was stored", err)
	}
	tx := &paramTx{p: t.SSM}
	if err := tx.Put(ctx, ps.bot, token); err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "The bot @%s's token (workspace %s) is in %s.\n", id.User, id.Team, ps.bot)
	m, err := FillManifest(o.Manifest, st.Outputs)
	if err != nil {
		return err
	}
	return nextSteps(ctx, t, o, st, m)
}

// nextSteps names the channels the bot must be invited to.
func nextSteps(ctx context.Context, t *deployment.Target, o SlackOptions, st deployment.Stack, m SlackManifest) error {
	var manifest struct {
		Features struct {
			BotUser struct {
				DisplayName string `json:"display_name"`
			} `json:"bot_user"`
		} `json:"features"`
	}
	_ = json.Unmarshal(m.JSON, &manifest)
	bot := or(manifest.Features.BotUser.DisplayName, "rituals")
	cfg, _, err := t.Config(ctx, st)
	if err != nil {
		fmt.Fprintf(o.Out, "Then invite @%s to each team channel of your config (/invite @%s in the channel), push the config (rituals config push FILE) and run rituals doctor.\n", bot, bot)
		return nil
	}
	chans := ConfigChannels(cfg)
	var ids []string
	for _, c := range chans {
		ids = append(ids, c.ID)
	}
	fmt.Fprintf(o.Out, "Invite @%s to the config's channels (in each, type /invite @%s): %s. Then run rituals doctor.\n", bot, bot, strings.Join(ids, ", "))
	return nil
}

// Channel is a Slack channel the config names, and for what.
type Channel struct {
	ID  string
	For []string // "repo-management channel", "repo-management support channel"...
}

// ConfigChannels lists every channel the config's teams name, sorted by id.
func ConfigChannels(cfg *config.Config) []Channel {
	by := map[string]*Channel{}
	add := func(id, what string) {
		if id == "" {
			return
		}
		if by[id] == nil {
			by[id] = &Channel{ID: id}
		}
		by[id].For = append(by[id].For, what)
	}
	for _, t := range cfg.Teams {
		add(t.Slack.Channel, t.ID+" channel")
		if t.Slack.SupportChannel != t.Slack.Channel {
			add(t.Slack.SupportChannel, t.ID+" support channel")
		}
		if t.Slack.DigestChannel != t.Slack.Channel {
			add(t.Slack.DigestChannel, t.ID+" digest channel")
		}
	}
	out := make([]Channel, 0, len(by))
	for _, c := range by {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
