package handlers

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/time/rate"
)

// loginLimiter refuses sign-in attempts before bcrypt runs, per client
// address and per address and username, never per username alone: guesses
// from elsewhere must not lock the real admin out. Only failures cost: a
// right password gives its tokens back.
//
// State is bounded and expires key by key, never all at once: a key is
// forgotten only once its bucket would have refilled anyway, or when the
// least recently used of a full table, which an attacker can only force
// with as many addresses as the table holds.
type loginLimiter struct {
	mu    sync.Mutex
	ips   *expirable.LRU[string, *rate.Limiter]
	pairs *expirable.LRU[string, *rate.Limiter]
}

const (
	loginKeys     = 10000
	ipEvery       = 6 * time.Second // 10 at once, then one every 6 s per address
	ipBurst       = 10
	pairEvery     = 12 * time.Second // 5 at once, then one every 12 s per address and username
	pairBurst     = 5
	loginStateTTL = 2 * time.Minute // longer than either bucket takes to refill
)

func newLoginLimiter() *loginLimiter {
	return &loginLimiter{
		ips:   expirable.NewLRU[string, *rate.Limiter](loginKeys, nil, loginStateTTL),
		pairs: expirable.NewLRU[string, *rate.Limiter](loginKeys, nil, loginStateTTL),
	}
}

// attempt takes one try from both buckets; ok is false when either is
// empty. succeeded must be called with how the attempt went.
func (l *loginLimiter) attempt(ip, user string, now time.Time) (succeeded func(bool), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	key := addressKey(ip)
	a := take(l.ips, key, ipEvery, ipBurst, now)
	if a.DelayFrom(now) > 0 {
		// Refused before the pair is looked at, so a failing address
		// cannot fill the table with usernames.
		a.CancelAt(now)
		return nil, false
	}
	b := take(l.pairs, key+"\x00"+strings.ToLower(user), pairEvery, pairBurst, now)
	if b.DelayFrom(now) > 0 {
		a.CancelAt(now)
		b.CancelAt(now)
		return nil, false
	}
	return func(success bool) {
		if success {
			l.mu.Lock()
			defer l.mu.Unlock()
			a.CancelAt(now)
			b.CancelAt(now)
		}
	}, true
}

func take(m *expirable.LRU[string, *rate.Limiter], key string, every time.Duration, burst int, now time.Time) *rate.Reservation {
	lim, ok := m.Get(key)
	if !ok {
		lim = rate.NewLimiter(rate.Every(every), burst)
	}
	m.Add(key, lim) // refreshes its expiry
	return lim.ReserveN(now, 1)
}

// addressKey groups IPv6 clients by /64, the block one host is usually
// given, so a host cannot walk its own addresses to start afresh.
func addressKey(ip string) string {
	a := net.ParseIP(ip)
	if a == nil || a.To4() != nil {
		return ip
	}
	return a.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
