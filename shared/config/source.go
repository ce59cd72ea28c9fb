package config

import (
	"context"
	"sync"
	"time"
)

// DefaultTTL is how long a Source trusts its cached config before checking the version.
const DefaultTTL = time.Minute

// Source gives a function the current config cheaply: it keeps the parsed config and, once the
// TTL has passed, reads only the small version item, re-reading and re-parsing the YAML only when
// the version changed. So a push reaches every warm function within the TTL. It is safe for
// concurrent use.
type Source struct {
	api   Reader
	table string
	ttl   time.Duration

	// mu is held across the DynamoDB reads on purpose: concurrent callers that find the cache
	// stale wait for one refresh instead of each doing it.
	mu      sync.Mutex
	cfg     *Config
	version int
	checked time.Time
}

// NewSource returns a Source reading table through api; ttl <= 0 means DefaultTTL.
func NewSource(api Reader, table string, ttl time.Duration) *Source {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Source{api: api, table: table, ttl: ttl}
}

// Current returns the config as of now (the caller's clock: the event's time). Within the TTL
// of the last check it returns the cached config without I/O; an earlier now than the last
// check (events are not always in order) also counts as within it. Errors, including
// ErrNoConfig, are returned as they are rather than masked by a stale config, and the next
// call tries again.
func (s *Source) Current(ctx context.Context, now time.Time) (*Config, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cfg != nil && now.Sub(s.checked) < s.ttl {
		return s.cfg, nil
	}
	if s.cfg != nil {
		h, found, err := readHead(ctx, s.api, s.table)
		if err != nil {
			return nil, err
		}
		if found && h.version == s.version {
			s.checked = now
			return s.cfg, nil
		}
	}
	cfg, version, err := Load(ctx, s.api, s.table)
	if err != nil {
		return nil, err
	}
	s.cfg, s.version, s.checked = cfg, version, now
	return cfg, nil
}
