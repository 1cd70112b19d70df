// Crash safety, through the real binary: SIGKILL mid-write, restart, and
// check what was acknowledged against what survived.
//
//	test               scenario      guards
//	TestCrashRecovery  1, 2, 7, 10-12 each round acknowledges settings, jobs and pauses before the kill; after restart every acknowledged setting, job and pause is there, enabled jobs have a next run and paused ones none, exactly one provider is active once an add was acknowledged, and `switchboard check` passes

package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var crashRounds = flag.Int("crash-rounds", 3, "kill -9 rounds in TestCrashRecovery")

const crashToken = "crash-token-0123456789"

// binaryServer is the real binary serving on loopback.
type binaryServer struct {
	cmd *exec.Cmd
	url string
}

func startBinary(t *testing.T, db string, extra ...string) binaryServer {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SWITCHBOARD_API_TOKEN=" + crashToken, "SWITCHBOARD_ADMIN_PASSWORD=crash admin password"}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case url := <-found:
		return binaryServer{cmd: cmd, url: url}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("server did not start")
	}
	return binaryServer{}
}

func (b binaryServer) call(method, path, body string) (int, map[string]any) {
	req, _ := http.NewRequest(method, b.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+crashToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestCrashRecovery drives concurrent writes, kills the server with SIGKILL
// at a random moment once writes are being acknowledged, restarts it and
// checks that every acknowledged write is there, exactly one provider is
// active once an add was acknowledged, and the scheduler resumed every
// persisted schedule and pause. `go tool task crash` runs more rounds.
func TestCrashRecovery(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crash.db")
	var mu sync.Mutex
	settings := map[string]string{} // acknowledged
	jobs := map[string]bool{}       // acknowledged creations → acknowledged paused
	providersAcked := 0
	providers := []string{"anthropic", "openai", "google", "xai"}
	for round := range *crashRounds {
		srv := startBinary(t, db)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var roundSettings, roundJobs, roundPauses atomic.Int64
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					switch i % 4 {
					case 0:
						key := fmt.Sprintf("ui.r%d_w%d_%d", round, w, i)
						if st, _ := srv.call("PUT", "/api/settings/"+key, `{"value":"v"}`); st == 200 {
							mu.Lock()
							settings[key] = "v"
							mu.Unlock()
							roundSettings.Add(1)
						}
					case 1:
						id := fmt.Sprintf("c-%d-%d-%d", round, w, i)
						body := fmt.Sprintf(`{"id":"%s","name":"%s","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"interval","minutes":%d}`, id, id, r.IntN(500)+5)
						if st, _ := srv.call("POST", "/api/scheduler/jobs", body); st == 201 {
							mu.Lock()
							jobs[id] = false
							mu.Unlock()
							roundJobs.Add(1)
						}
					case 2:
						mu.Lock()
						var id string
						for k := range jobs {
							id = k
							break
						}
						mu.Unlock()
						if id != "" {
							if st, _ := srv.call("POST", "/api/scheduler/jobs/"+id+"/pause", ""); st == 200 {
								mu.Lock()
								jobs[id] = true
								mu.Unlock()
								roundPauses.Add(1)
							}
						}
					case 3:
						p := providers[r.IntN(len(providers))]
						if st, _ := srv.call("POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":"%s","api_key":"key-%s-123456"}`, p, p)); st == 200 {
							mu.Lock()
							providersAcked++
							mu.Unlock()
						}
					}
				}
			}()
		}
		// A crash before anything was acknowledged proves nothing: wait for
		// writes of each kind to be answered, then kill at a random moment.
		deadline := time.Now().Add(30 * time.Second)
		for roundSettings.Load() < 5 || roundJobs.Load() < 5 || roundPauses.Load() < 1 {
			if time.Now().After(deadline) {
				t.Errorf("round %d: only %d settings, %d jobs and %d pauses acknowledged in 30 s", round, roundSettings.Load(), roundJobs.Load(), roundPauses.Load())
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(time.Duration(rand.IntN(500)) * time.Millisecond) // the random moment of the crash
		if err := srv.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		srv.cmd.Wait()
		close(stop)
		wg.Wait()

		after := startBinary(t, db)
		_, m := after.call("GET", "/api/settings", "")
		stored, _ := m["settings"].(map[string]any)
		mu.Lock()
		for k := range settings {
			if _, ok := stored[k]; !ok {
				t.Errorf("round %d: acknowledged setting %s lost", round, k)
			}
		}
		_, m = after.call("GET", "/api/scheduler/jobs", "")
		listed := map[string]map[string]any{}
		all, _ := m["jobs"].([]any)
		for _, raw := range all {
			j := raw.(map[string]any)
			listed[j["id"].(string)] = j
			if (j["next_run"] != nil) != (j["enabled"] == true) {
				t.Errorf("round %d: job %s enabled=%v but next_run=%v after restart", round, j["id"], j["enabled"], j["next_run"])
			}
		}
		paused := 0
		for id, wasPaused := range jobs {
			j, ok := listed[id]
			if !ok {
				t.Errorf("round %d: acknowledged job %s lost", round, id)
				continue
			}
			if wasPaused {
				paused++
				if j["enabled"] != false {
					t.Errorf("round %d: acknowledged pause of %s lost", round, id)
				}
			}
		}
		nSettings, nJobs, nProviders := len(settings), len(jobs), providersAcked
		mu.Unlock()
		_, m = after.call("GET", "/api/settings/ai-providers", "")
		active := 0
		data, _ := m["data"].([]any)
		for _, raw := range data {
			if raw.(map[string]any)["is_active"] == true {
				active++
			}
		}
		// Every add is set_active: after one is acknowledged, exactly one
		// provider is active, crash or not.
		if wantActive := min(nProviders, 1); active != wantActive {
			t.Errorf("round %d: %d active providers, want %d (%d adds acknowledged)", round, active, wantActive, nProviders)
		}
		after.cmd.Process.Signal(syscall.SIGTERM)
		after.cmd.Wait()
		if out, ok := sb(t, "", "check", "--db", db); !ok {
			t.Errorf("round %d: check: %s", round, out)
		}
		if t.Failed() {
			t.Logf("round %d failed; so far %d settings, %d jobs (%d paused) and %d provider adds acknowledged", round, nSettings, nJobs, paused, nProviders)
			return
		}
		t.Logf("round %d: %d settings, %d jobs (%d paused) and %d provider adds acknowledged so far, all present", round, nSettings, nJobs, paused, nProviders)
	}
}
