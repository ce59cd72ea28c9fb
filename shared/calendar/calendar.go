// Package calendar is the one business calendar every feature uses: a person's days off are
// weekends, the public holidays of their country (from the maintained rickar/cal tables) and
// their away days; a team's are the days off its whole rotation shares (see Team). Standup
// creation, support nags and escalations, question digests, label-rule timers and Clinic Duty
// all ask it, so a public holiday means the same thing everywhere.
package calendar

import (
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/at"
	"github.com/rickar/cal/v2/au"
	"github.com/rickar/cal/v2/be"
	"github.com/rickar/cal/v2/br"
	"github.com/rickar/cal/v2/ca"
	"github.com/rickar/cal/v2/ch"
	"github.com/rickar/cal/v2/cz"
	"github.com/rickar/cal/v2/de"
	"github.com/rickar/cal/v2/dk"
	"github.com/rickar/cal/v2/es"
	"github.com/rickar/cal/v2/fr"
	"github.com/rickar/cal/v2/gb"
	"github.com/rickar/cal/v2/ie"
	"github.com/rickar/cal/v2/it"
	"github.com/rickar/cal/v2/jp"
	"github.com/rickar/cal/v2/nl"
	"github.com/rickar/cal/v2/no"
	"github.com/rickar/cal/v2/nz"
	"github.com/rickar/cal/v2/pl"
	"github.com/rickar/cal/v2/se"
	"github.com/rickar/cal/v2/us"
	"github.com/rickar/cal/v2/za"

	"github.com/rituals-dev/rituals/shared/config"
)

// countryHolidays maps ISO 3166-1 alpha-2 codes to the national holidays of
// github.com/rickar/cal. Australia has only per-state lists there; its entry is the holidays
// every state observes.
var countryHolidays = map[string][]*cal.Holiday{
	"AT": at.Holidays, "AU": commonHolidays(au.HolidaysACT, au.HolidaysNSW, au.HolidaysNT, au.HolidaysQLD, au.HolidaysSA, au.HolidaysTAS, au.HolidaysVIC, au.HolidaysWA),
	"BE": be.Holidays, "BR": br.Holidays, "CA": ca.Holidays, "CH": ch.Holidays, "CZ": cz.Holidays,
	"DE": de.Holidays, "DK": dk.Holidays, "ES": es.Holidays, "FR": fr.Holidays, "GB": gb.Holidays,
	"IE": ie.Holidays, "IT": it.Holidays, "JP": jp.Holidays, "NL": nl.Holidays, "NO": no.Holidays,
	"NZ": nz.Holidays, "PL": pl.Holidays, "SE": se.Holidays, "US": us.Holidays, "ZA": za.Holidays,
}

func commonHolidays(lists ...[]*cal.Holiday) []*cal.Holiday {
	count := map[*cal.Holiday]int{}
	for _, l := range lists {
		for _, h := range l {
			count[h]++
		}
	}
	var out []*cal.Holiday
	for _, h := range lists[0] {
		if count[h] == len(lists) {
			out = append(out, h)
		}
	}
	return out
}

// Calendar says which days are business days for a person: not a weekend (Saturday, Sunday),
// not a public holiday of the person's country, not in the person's away ranges (from the
// config, or set with /standup away). It is safe for concurrent use; holiday tables are
// computed once per country and year.
type Calendar struct {
	// Log hears, once per country, that a country has no holiday table (weekends only).
	Log *slog.Logger

	mu      sync.Mutex
	years   map[countryYear]map[config.Date]string
	missing map[string]bool
}

type countryYear struct {
	country string
	year    int
}

// NewCalendar returns a Calendar logging unknown countries to log (may be nil).
func NewCalendar(log *slog.Logger) *Calendar { return &Calendar{Log: log} }

// KnownCountry reports whether the calendar has public holidays for the country code.
func KnownCountry(country string) bool {
	_, ok := countryHolidays[strings.ToUpper(country)]
	return ok
}

// Countries lists the country codes with public holidays, sorted.
func Countries() []string {
	var out []string
	for c := range countryHolidays {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Holiday returns the name of the public holiday of country on d ("" when none). An
// observed (substitute) day counts as the holiday, and so does the actual day.
func (c *Calendar) Holiday(country string, d config.Date) string {
	country = strings.ToUpper(country)
	c.mu.Lock()
	defer c.mu.Unlock()
	key := countryYear{country, d.Year}
	days, ok := c.years[key]
	if !ok {
		list, known := countryHolidays[country]
		if !known && !c.missing[country] {
			if c.missing == nil {
				c.missing = map[string]bool{}
			}
			c.missing[country] = true
			if c.Log != nil {
				c.Log.Warn("no public holiday calendar for country; only weekends are days off", "country", country)
			}
		}
		days = map[config.Date]string{}
		for _, h := range list {
			if h.Type == cal.ObservanceOther {
				continue
			}
			actual, observed := h.Calc(d.Year)
			for _, t := range []time.Time{actual, observed} {
				if !t.IsZero() {
					days[config.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}] = h.Name
				}
			}
		}
		// A substitute day can fall in the next year (31 Dec observed for 1 Jan falls in the
		// previous one): look at the neighbouring years too.
		for _, y := range []int{d.Year - 1, d.Year + 1} {
			for _, h := range list {
				if h.Type == cal.ObservanceOther {
					continue
				}
				_, observed := h.Calc(y)
				if !observed.IsZero() && observed.Year() == d.Year {
					days[config.Date{Year: observed.Year(), Month: observed.Month(), Day: observed.Day()}] = h.Name
				}
			}
		}
		if c.years == nil {
			c.years = map[countryYear]map[config.Date]string{}
		}
		c.years[key] = days
	}
	return days[d]
}

// DayOff says why d is not a business day for a person, or "" when it is one.
type DayOff string

// Reasons a day is not a business day.
const (
	Weekend DayOff = "weekend"
	Away    DayOff = "away"
	// A public holiday is reported as "holiday: <name>".
	holidayPrefix = "holiday: "
)

// IsHoliday reports whether the reason is a public holiday, and its name.
func (o DayOff) IsHoliday() (string, bool) {
	if s, ok := strings.CutPrefix(string(o), holidayPrefix); ok {
		return s, true
	}
	return "", false
}

// Describe renders the reason for people: "on holiday (Labour Day)", "away", "weekend".
func (o DayOff) Describe() string {
	if name, ok := o.IsHoliday(); ok {
		return "public holiday (" + name + ")"
	}
	return string(o)
}

// Off says why d is not a business day for p (weekend, public holiday of p's country, away in
// the config or in extra), or "" when it is one.
func (c *Calendar) Off(p *config.Person, extra []config.DateRange, d config.Date) DayOff {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Weekend
	}
	if p.AwayOn(d) {
		return Away
	}
	for _, r := range extra {
		if r.Contains(d) {
			return Away
		}
	}
	if name := c.Holiday(p.Country, d); name != "" {
		return DayOff(holidayPrefix + name)
	}
	return ""
}

// BusinessDay returns a predicate for p's business days, for config.Span.After.
func (c *Calendar) BusinessDay(p *config.Person, extra []config.DateRange) func(config.Date) bool {
	return func(d config.Date) bool { return c.Off(p, extra, d) == "" }
}

// BusinessDaysBack returns the day n business days of p before d (d itself not counted).
func (c *Calendar) BusinessDaysBack(p *config.Person, extra []config.DateRange, d config.Date, n int) config.Date {
	for i := 0; i < 366 && n > 0; i++ {
		d = d.AddDays(-1)
		if c.Off(p, extra, d) == "" {
			n--
		}
	}
	return d
}

// TeamOff says why d is not a business day for a team as a whole: a weekend, or a public
// holiday observed in every member's country ("" when it is a business day). A team spread
// across countries keeps working on a holiday only some of its members observe; the rotation
// skips those members instead. Team-wide rules (support nags and escalations, question
// digests, label-rule timers) count business days with it, in the team's time zone.
func (c *Calendar) TeamOff(cfg *config.Config, team *config.Team, d config.Date) DayOff {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Weekend
	}
	name := ""
	for _, id := range team.Members {
		p := cfg.PersonByID(id)
		if p == nil {
			continue
		}
		h := c.Holiday(p.Country, d)
		if h == "" {
			return ""
		}
		if name == "" {
			name = h
		}
	}
	if name == "" {
		return ""
	}
	return DayOff(holidayPrefix + name)
}

// TeamBusinessDay returns a predicate for the team's business days, for config.Span.After.
func (c *Calendar) TeamBusinessDay(cfg *config.Config, team *config.Team) func(config.Date) bool {
	return func(d config.Date) bool { return c.TeamOff(cfg, team, d) == "" }
}
