package deployment

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// SamConfig is what the admin commands read from samconfig.toml (`sam deploy --guided`
// writes it): the stack's name and region for the default environment.
type SamConfig struct {
	StackName string
	Region    string
}

// ReadSamConfig reads stack_name and region from the [default.deploy.parameters] (or
// [default.global.parameters]) table of a samconfig.toml. An error wrapping os.ErrNotExist
// means there is no file.
func ReadSamConfig(path string) (SamConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return SamConfig{}, err
	}
	defer f.Close()
	var c SamConfig
	table := ""
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if strings.HasPrefix(text, "[") {
			table = strings.Trim(text, "[] ")
			continue
		}
		if table != "default.deploy.parameters" && table != "default.global.parameters" {
			continue
		}
		key, value, ok := strings.Cut(text, "=")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		if i := strings.Index(value, " #"); i >= 0 && !strings.HasPrefix(value, `"`) {
			value = strings.TrimSpace(value[:i])
		}
		unq, err := unquote(value)
		if err != nil {
			return SamConfig{}, fmt.Errorf("%s:%d: %s: %w", path, line, strings.TrimSpace(key), err)
		}
		switch strings.TrimSpace(key) {
		case "stack_name":
			if c.StackName == "" || table == "default.deploy.parameters" {
				c.StackName = unq
			}
		case "region":
			if c.Region == "" || table == "default.deploy.parameters" {
				c.Region = unq
			}
		}
	}
	return c, sc.Err()
}

func unquote(v string) (string, error) {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", fmt.Errorf("unterminated string %s", v)
		}
		return v[1 : 1+end], nil
	}
	return v, nil
}
