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
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
	"StandupProcessorFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE", "WEB_URL"},
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
	"SlackOAuthFunction": {
		// Parameter names, not secrets: the function reads and writes them at each request.
		Vars: []string{"SLACK_CLIENT_ID_PARAM", "SLACK_CLIENT_SECRET_PARAM", "SLACK_BOT_TOKEN_PARAM"},
	},
	"SupportTriageFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
	"WebFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "WEB_SESSION_KEY"},
	},
	"RetroDecisionFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
	"LabelRulesFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
	"PhabricatorProcessorFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN", "CONDUIT_API_TOKEN"},
	},
	"GitHubReconcileFunction": {
		Vars:    []string{"STATE_TABLE", "GITHUB_WEBHOOK_URL"},
		Choices: []Choice{GitHubCredentials},
	},
	"SprintsFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN", "CONDUIT_API_TOKEN"},
	},
	"ClinicDutyFunction": {
		Vars:    []string{"EVENTS_TABLE", "STATE_TABLE"},
		Secrets: []string{"SLACK_BOT_TOKEN"},
		Choices: []Choice{GitHubCredentials},
	},
}

// GitHubCredentials is how a function acts on GitHub: as the Rituals GitHub App's installations
// (its id and private key, which `rituals setup github` stores), or with a personal token.
var GitHubCredentials = Choice{
	What:    "GitHub credentials",
	Options: [][]string{{"GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY"}, {"GITHUB_TOKEN"}},
	Fix:     "run `rituals setup github` to create the GitHub App, or store a token in the GitHubTokenParam parameter",
}
