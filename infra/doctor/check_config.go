package doctor

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/rituals-dev/rituals/shared/config"
)

// checkConfig: a config is stored, it is valid under this version's rules, and (with
// ConfigFile) it is that file.
func (d *Doctor) checkConfig(ctx context.Context, s *state) []Result {
	const name = "config"
	if !s.stackOK {
		return []Result{{name, Skip, "needs the stack (above)", ""}}
	}
	table := s.stack.Outputs["StateTableName"]
	file := d.ConfigFile
	if file == "" {
		file = "FILE"
	}
	push := "rituals config push " + file + " -table " + table
	if d.Target.Local != nil {
		push += " -endpoint " + d.Target.Local.DynamoDB
	}
	if s.cfgErr != nil {
		if errors.Is(s.cfgErr, config.ErrNoConfig) {
			return []Result{{name, Fail, "no team config has been pushed to " + table, "rituals config validate " + file + ", then " + push}}
		}
		return []Result{{name, Fail, s.cfgErr.Error(), "fix the file (rituals config validate " + file + "), then " + push}}
	}
	version, digest, err := config.StoredDigest(ctx, d.Target.DynamoDB, table)
	if err != nil {
		return []Result{{name, Fail, err.Error(), ""}}
	}
	msg := fmt.Sprintf("version %d in %s is valid (%d people, %d teams)", version, table, len(s.cfg.People), len(s.cfg.Teams))
	if d.ConfigFile == "" {
		return []Result{{name, OK, msg, ""}}
	}
	data, err := os.ReadFile(d.ConfigFile)
	if err != nil {
		return []Result{{name, Fail, err.Error(), ""}}
	}
	if config.Digest(data) != digest {
		return []Result{{name, Fail, fmt.Sprintf("%s is not what the stack runs (version %d differs)", d.ConfigFile, version), push}}
	}
	return []Result{{name, OK, msg + "; it is " + d.ConfigFile, ""}}
}
