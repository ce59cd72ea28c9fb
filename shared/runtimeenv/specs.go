package runtimeenv

// Specs is what each function in template.yaml reads, keyed by its logical id. The template test
// checks that every function here exists there with each variable (and each secret's _PARAM) set.
var Specs = map[string]Spec{
	"GitHubWebhookFunction": {
		Vars:    []string{"EVENTS_TABLE"},
		Secrets: []string{"GITHUB_WEBHOOK_SECRET"},
	},
	"PhabricatorWebhookFunction": {
		Vars:    []string{"EVENTS_TABLE"},
		Secrets: []string{"PHABRICATOR_WEBHOOK_HMAC_KEY"},
	},
	"SlackCommandsFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"},
	},
	"SlackInteractionsFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"},
	},
	"ActivityRecorderFunction": {
		Vars: []string{"EVENTS_TABLE", "STATE_TABLE"},
	},
	"StandupSchedulerFunction": {
		Vars:    []string{"STATE_TABLE", "WEB_URL"},
		Secrets: []string{"SLACK_BOT_TOKEN", "GITHUB_TOKEN"},
	},
	"StandupProcessorFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE", "WEB_URL"},
		Secrets: []string{"SLACK_BOT_TOKEN", "GITHUB_TOKEN"},
	},
	"SupportTriageFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN", "GITHUB_TOKEN"},
	},
	"WebFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "WEB_SESSION_KEY"},
	},
	"RetroDecisionFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN", "GITHUB_TOKEN"},
	},
}
