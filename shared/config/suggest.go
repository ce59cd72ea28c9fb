package config

import (
	_ "embed"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	// Lambda's provided.al2023 image is not guaranteed to ship /usr/share/zoneinfo; embedding
	// the database (~450 KB) makes every IANA zone load everywhere, the same as in tests.
	_ "time/tzdata"
)

// zones.txt lists the zone names of Go's embedded database, for suggestions only (validity is
// decided by time.LoadLocation). Regenerate with
//
//	unzip -Z1 $(go env GOROOT)/lib/time/zoneinfo.zip | grep -v '/$' | LC_ALL=C sort > zones.txt
//
//go:embed zones.txt
var zonesTxt string

// countries.tab is tzdata's iso3166.tab without comments: "CODE<TAB>English name" per line.
//
//go:embed countries.tab
var countriesTab string

var (
	tablesOnce sync.Once
	zoneNames  []string
	countries  map[string]string // code → name
)

func loadTables() {
	tablesOnce.Do(func() {
		zoneNames = strings.Fields(zonesTxt)
		countries = map[string]string{}
		for _, line := range strings.Split(countriesTab, "\n") {
			if code, name, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok {
				countries[code] = name
			}
		}
	})
}

// checkTimeZone loads an IANA zone, or says what to write instead. Bare abbreviations such as
// "EST" or "PST8PDT" load but are refused: they are fixed offsets or US-only rules, and a
// developer in New York on "EST" would get standups an hour late all summer.
func checkTimeZone(name string) (*time.Location, error) {
	loadTables()
	if name == "UTC" || name == "Etc/UTC" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err == nil && strings.Contains(name, "/") && name != "Local" {
		return loc, nil
	}
	if err == nil {
		return nil, fmt.Errorf("time zone %q is an abbreviation, not a place; write a region zone such as America/New_York or Asia/Kolkata so daylight saving is right (or UTC)", name)
	}
	if s := closest(name, zoneNames, normZone); s != "" {
		return nil, fmt.Errorf("time zone %q is not an IANA zone (did you mean %s?)", name, s)
	}
	return nil, fmt.Errorf("time zone %q is not an IANA zone (e.g. America/New_York, Europe/London, Asia/Kolkata)", name)
}

func normZone(s string) string {
	return strings.NewReplacer("_", "", " ", "", "-", "").Replace(strings.ToLower(s))
}

// checkCountry accepts an ISO 3166-1 alpha-2 code, or says which code was meant.
func checkCountry(code string) error {
	loadTables()
	if _, ok := countries[code]; ok {
		return nil
	}
	up := strings.ToUpper(strings.TrimSpace(code))
	if _, ok := countries[up]; ok {
		return fmt.Errorf("country %q must be upper case: write %s", code, up)
	}
	if up == "UK" {
		return fmt.Errorf("country %q is not an ISO 3166-1 alpha-2 code: the United Kingdom is GB", code)
	}
	for c, name := range countries {
		if strings.EqualFold(name, code) || strings.EqualFold(strings.TrimSuffix(name, " (UK)"), code) {
			return fmt.Errorf("country %q must be an ISO 3166-1 alpha-2 code: write %s", code, c)
		}
	}
	return fmt.Errorf("country %q is not an ISO 3166-1 alpha-2 code (e.g. US, GB, IN, NZ, DE)", code)
}

// closest returns the candidate nearest to s (after norm), or "" when none is near enough to
// be a plausible typo.
func closest(s string, candidates []string, norm func(string) string) string {
	if norm == nil {
		norm = strings.ToLower
	}
	ns := norm(s)
	best, bestDist := "", -1
	for _, c := range candidates {
		nc := norm(c)
		d := editDistance(ns, nc)
		// "acme-corp" for "acme": a longer or shorter spelling of the same name.
		if short := min(len(ns), len(nc)); short >= 3 && (strings.HasPrefix(ns, nc) || strings.HasPrefix(nc, ns)) {
			d = min(d, 1)
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	// Allow roughly one typo per four characters, at least one.
	if bestDist >= 0 && bestDist <= max(1, len(ns)/4) {
		return best
	}
	return ""
}

// unknownRef renders "unknown person "bobb" (did you mean "bob"? known: alice, bob, …)".
func unknownRef(kind, id string, known []string) string {
	msg := fmt.Sprintf("unknown %s %q", kind, id)
	if len(known) == 0 {
		return msg + fmt.Sprintf(" (no %ss are defined)", kind)
	}
	var hints []string
	if s := closest(id, known, nil); s != "" {
		hints = append(hints, fmt.Sprintf("did you mean %q?", s))
	}
	hints = append(hints, "known: "+listSome(known))
	return msg + " (" + strings.Join(hints, " ") + ")"
}

// listSome lists up to 12 distinct names, sorted, so a message stays one readable line.
func listSome(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	sorted = slices.Compact(sorted)
	if len(sorted) > 12 {
		return strings.Join(sorted[:12], ", ") + fmt.Sprintf(", … (%d more)", len(sorted)-12)
	}
	return strings.Join(sorted, ", ")
}

// editDistance is the optimal-string-alignment distance: insertions, deletions, substitutions
// and transpositions of neighbours ("awya" → "away") each count 1.
func editDistance(a, b string) int {
	ar, br := []rune(a), []rune(b)
	d := make([][]int, len(ar)+1)
	for i := range d {
		d[i] = make([]int, len(br)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ar); i++ {
		for j := 1; j <= len(br); j++ {
			cost := 1
			if ar[i-1] == br[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ar[i-1] == br[j-2] && ar[i-2] == br[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ar)][len(br)]
}
