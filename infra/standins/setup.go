package standins

import "net/http"

// registerSetup serves the stand-ins behind `rituals setup` and `rituals doctor`: GitHub Apps
// (manifest flow, installations, tokens), Slack apps (manifest API, OAuth install, channels),
// SSM Parameter Store and CloudFormation's DescribeStacks.
func (s *Server) registerSetup(mux *http.ServeMux) {
	s.ghApps = newGitHubApps(s)
	s.slackApps = newSlackApps(s)
	s.ssm = newSSMAPI(s)
	s.cfn = newCloudFormationAPI(s)
	s.ghApps.register(mux)
	s.slackApps.register(mux)
	mux.HandleFunc(SSMPath, s.ssm.serve)
	mux.HandleFunc(CloudFormationPath, s.cfn.serve)
}
