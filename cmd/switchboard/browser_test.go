// The harness of the browser tests: Debian's Chromium driven by chromedp,
// one browser (its own cookies, its own session) per operator, each
// watched for console errors and warnings for as long as it runs.

package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const adminPassword = "e2e admin password"

// screenshotDir collects the pages as the browser drew them, to look at.
var screenshotDir = filepath.Join("testoutput", "screenshots")

// The two sizes every page is drawn at: a laptop and a phone.
var (
	desktop = viewport{"desktop", 1366, 900}
	phone   = viewport{"phone", 390, 844}
)

type viewport struct {
	name          string
	width, height int64
}

// newBrowser starts its own Chromium (its own cookies: its own session)
// at the given size. A missing browser fails the test: .ci/deps installs
// Debian's chromium. Every console error, warning and uncaught exception
// the pages write fails the test when it ends: the console is clean in
// normal use.
func newBrowser(t *testing.T, size viewport) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("Debian's chromium is needed for the browser tests (go tool task deps installs it): %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(int(size.width), int(size.height)), chromedp.Flag("disable-dev-shm-usage", true))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	// Start the browser on this context, so steps may use shorter-lived
	// children of it.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.width, size.height)); err != nil {
		cancelTimeout()
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	w := watchConsole(ctx)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		bad, missing := w.wait()
		for _, m := range bad {
			t.Errorf("browser console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
		for _, e := range missing {
			t.Errorf("browser console: the expected message %q never came", e)
		}
	})
	return context.WithValue(ctx, consoleKey{}, w)
}

type consoleKey struct{}

// expectConsole says the browser will log a message holding text, as it
// does for a status the test provokes on purpose (a hostile page's refused
// post): that message is no fault, and its absence is.
func expectConsole(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	w, ok := ctx.Value(consoleKey{}).(*consoleWatch)
	if !ok {
		t.Fatal("expectConsole: not a browser from newBrowser")
	}
	w.mu.Lock()
	w.expected = append(w.expected, text)
	w.mu.Unlock()
}

// consoleWatch gathers what a browser's pages write to the console that
// an operator's console must never show.
type consoleWatch struct {
	mu       sync.Mutex
	bad      []chromedp.ConsoleMessage
	expected []string        // messages announced by expectConsole
	seen     map[string]bool // which of them came
	done     chan struct{}
}

func watchConsole(ctx context.Context) *consoleWatch {
	w := &consoleWatch{done: make(chan struct{}), seen: map[string]bool{}}
	messages := chromedp.Console(ctx)
	go func() {
		defer close(w.done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if consoleFault(m) {
				w.fault(m)
			}
		}
	}()
	return w
}

// consoleFault tells whether a message is an error or a warning: a call
// of console.error or console.warn (htmx logs its errors so), an uncaught
// exception, or the browser's own log at those levels (a refused
// Content-Security-Policy, an invalid pattern attribute, a failed load).
func consoleFault(m chromedp.ConsoleMessage) bool {
	switch m.Type {
	case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException, "assert":
		return true
	}
	return false
}

func (w *consoleWatch) fault(m chromedp.ConsoleMessage) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.expected {
		if strings.Contains(m.String(), e) {
			w.seen[e] = true
			return
		}
	}
	w.bad = append(w.bad, m)
}

// wait returns the faults, and the expected messages that never came,
// once the browser has gone (its context ended).
func (w *consoleWatch) wait() (bad []chromedp.ConsoleMessage, missing []string) {
	select {
	case <-w.done:
	case <-time.After(5 * time.Second):
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.expected {
		if !w.seen[e] {
			missing = append(missing, e)
		}
	}
	return slices.Clone(w.bad), missing
}

// do runs steps, failing the test with what was being done.
func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	stepCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(stepCtx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// waitJS waits until a JavaScript expression is true, within a deadline.
func waitJS(t *testing.T, ctx context.Context, what, expr string) time.Duration {
	t.Helper()
	start := time.Now()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("waiting for %s (%s): %v", what, expr, err)
	}
	return time.Since(start)
}

// evalJS returns the value of a JavaScript expression.
func evalJS[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// screenshot draws the page at both sizes, desktop and phone, audits each
// with axe-core, and leaves the browser at the size it had.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	was := viewport{width: evalJS[int64](t, ctx, `window.innerWidth`), height: evalJS[int64](t, ctx, `window.innerHeight`)}
	for _, size := range []viewport{desktop, phone} {
		do(t, ctx, "resize to "+size.name, chromedp.EmulateViewport(size.width, size.height))
		// Whatever is worth drawing is worth auditing: axe checks the page
		// in this state, at this size.
		audit(t, ctx, name+" at "+size.name)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(screenshotDir, name+"-"+size.name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	do(t, ctx, "restore the size", chromedp.EmulateViewport(was.width, was.height))
}

// fitsWidth fails unless nothing on the page reaches past the viewport's
// right edge: on a phone every control must be reachable without
// scrolling sideways.
func fitsWidth(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	over := evalJS[string](t, ctx, `(() => {
		const w = document.documentElement.clientWidth;
		const name = e => (e.dataset.testid || e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
		for (const e of document.querySelectorAll('body *')) {
			const r = e.getBoundingClientRect();
			if (r.width === 0 || getComputedStyle(e).visibility === 'hidden') continue;
			if (e.closest('.table-scroll')) continue;
			if (r.left < -1 || r.right > w + 1) return name(e) + ' spans ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + w;
		}
		if (document.documentElement.scrollWidth > w) return 'the page is ' + document.documentElement.scrollWidth + 'px wide, the screen ' + w;
		return '';
	})()`)
	if over != "" {
		t.Errorf("%s on a phone: %s", page, over)
	}
}

func signInBrowser(t *testing.T, ctx context.Context, base, user, password string) {
	t.Helper()
	do(t, ctx, "sign in as "+user,
		chromedp.Navigate(base+"/jobs"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=login-form]`)),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-username]`), user),
		chromedp.SendKeys(chromedp.CSS(`[data-testid=login-password]`), password),
		chromedp.Click(chromedp.CSS(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid=jobs-table]`)),
	)
	// The stylesheet and script loaded under the Content-Security-Policy.
	waitJS(t, ctx, "the stylesheet", `getComputedStyle(document.querySelector('.topbar')).display === 'flex'`)
	waitJS(t, ctx, "local times", `![...document.querySelectorAll('time[data-relative]')].some(e => e.textContent === e.getAttribute('datetime'))`)
}

func waitLive(t *testing.T, ctx context.Context) {
	t.Helper()
	waitJS(t, ctx, "the live badge", `document.querySelector('[data-testid=live-badge]').dataset.state === 'live'`)
}

func rowJS(job, inner string) string {
	return fmt.Sprintf(`(() => { const r = document.querySelector('#job-%s'); return !!r && (%s); })()`, job, inner)
}
