package config

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// FormatVersion is the only config format version this code reads.
const FormatVersion = 1

// DefaultFile is the file name Parse uses in problem messages.
const DefaultFile = "rituals.yaml"

// Parse is ParseFile(DefaultFile, data).
func Parse(data []byte) (*Config, error) { return ParseFile(DefaultFile, data) }

// ParseFile decodes and validates a config file; name is used only in problem messages. When
// anything is wrong it returns nil and a *ValidationError listing every problem in file order.
//
// When it succeeds:
//   - every id is a unique lowercase slug, and every reference resolves: team members, roles,
//     rotation members and HR reviewers are people; team clients are clients; rotation members
//     are team members; a team's default priority is one of its priorities;
//   - GitHub logins, Slack user ids and Phabricator names each belong to one person;
//   - every time zone loads (Location never fails), countries are ISO 3166-1 alpha-2 codes,
//     Slack ids look like Slack ids, repositories are owner/name;
//   - defaults are filled in (names, Slack support/digest channels, support priorities and
//     intervals, board field names, HR overdue days), so callers never re-apply them;
//   - within overlapping repositories a support label belongs to one team.
func ParseFile(name string, data []byte) (*Config, error) {
	d := newDecoder(name)
	cfg := d.document(data)
	if cfg != nil {
		validate(d, cfg)
	}
	if len(d.problems) > 0 {
		sort.SliceStable(d.problems, func(i, j int) bool {
			a, b := d.problems[i], d.problems[j]
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Column < b.Column
		})
		// The same problem can be met twice (a value read by two checks): report it once.
		var problems []Problem
		seen := map[Problem]bool{}
		for _, p := range d.problems {
			if !seen[p] {
				seen[p] = true
				problems = append(problems, p)
			}
		}
		return nil, &ValidationError{Problems: problems}
	}
	cfg.buildIndex()
	return cfg, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntax records a YAML syntax error, keeping the line number yaml.v3 puts in its message.
// yaml.v3 counts lines from 1 for scanner errors but from 0 for parser errors (the "did not
// find expected ..." family, located at the start of the unclosed construct), so those get 1
// added to point at the line the user must look at.
func (d *decoder) syntax(err error) {
	msg := err.Error()
	p := Problem{File: d.file, Message: "YAML syntax: " + msg}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		p.Line, _ = strconv.Atoi(m[1])
		p.Message = "YAML syntax: " + m[2]
		if strings.HasPrefix(m[2], "did not find expected") {
			p.Line++
		}
	}
	d.problems = append(d.problems, p)
}

// document decodes the whole file; it returns nil when the file is not YAML at all.
func (d *decoder) document(data []byte) *Config {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		d.at(nil, "", "the file is empty; start from infra/config/example.yaml")
		return nil
	} else if err != nil {
		d.syntax(err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.at(&extra, "", "only one YAML document is allowed; remove the second `---` and what follows")
	} else if !errors.Is(err, io.EOF) {
		d.syntax(err)
	}
	root := &doc
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	if d.resolve(root) == nil {
		d.at(root, "", "the file is empty; start from infra/config/example.yaml")
		return nil
	}
	o := d.object(root, "", "version", "people", "clients", "teams", "phabricator")
	if o == nil {
		return nil
	}
	cfg := &Config{}
	if o.need("version", strconv.Itoa(FormatVersion)) {
		if v, ok := o.integer("version"); ok {
			if v != FormatVersion {
				o.problem("version", "format version %d is not supported: write version: %d", v, FormatVersion)
			}
			cfg.Version = v
		}
	}
	o.need("people", "[{id: alice, slack: U01ALICE, timezone: Europe/London, country: GB}]")
	items, paths := o.list("people", "- id: alice")
	for i, n := range items {
		if p := d.person(n, paths[i]); p != nil {
			cfg.People = append(cfg.People, p)
		}
	}
	o.need("clients", "[{id: acme, github: {orgs: [acme]}, hr: {reviewer: carol, repo: acme/hr}}]")
	items, paths = o.list("clients", "- id: acme")
	for i, n := range items {
		if c := d.client(n, paths[i]); c != nil {
			cfg.Clients = append(cfg.Clients, c)
		}
	}
	o.need("teams", "[{id: platform, clients: [acme], members: [alice], ...}]")
	items, paths = o.list("teams", "- id: platform")
	for i, n := range items {
		if t := d.team(n, paths[i]); t != nil {
			cfg.Teams = append(cfg.Teams, t)
		}
	}
	if o.val("phabricator") != nil {
		cfg.Phabricator = d.phabricatorServer(o.val("phabricator"), o.p("phabricator"))
	}
	return cfg
}
