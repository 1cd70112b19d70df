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

func startBinary(t *testing.T, db string) binaryServer {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--db", db)
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
// at a random moment, restarts it and checks that every acknowledged write
// is there, the provider invariant holds and the scheduler resumed every
// persisted schedule and pause. `go tool task crash` runs more rounds.
func TestCrashRecovery(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crash.db")
	var mu sync.Mutex
	settings := map[string]string{} // acknowledged
	jobs := map[string]bool{}       // acknowledged creations → acknowledged paused
	providers := []string{"anthropic", "openai", "google", "xai"}
	for round := range *crashRounds {
		srv := startBinary(t, db)
		stop := make(chan struct{})
		var wg sync.WaitGroup
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
						}
					case 1:
						id := fmt.Sprintf("c-%d-%d-%d", round, w, i)
						body := fmt.Sprintf(`{"id":"%s","name":"%s","kind":"webhook","config":{"url":"http://127.0.0.1:1/"},"trigger":"interval","minutes":%d}`, id, id, r.IntN(500)+5)
						if st, _ := srv.call("POST", "/api/scheduler/jobs", body); st == 201 {
							mu.Lock()
							jobs[id] = false
							mu.Unlock()
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
							}
						}
					case 3:
						p := providers[r.IntN(len(providers))]
						srv.call("POST", "/api/settings/ai-provider", fmt.Sprintf(`{"provider":"%s","api_key":"key-%s-123456"}`, p, p))
					}
				}
			}()
		}
		time.Sleep(time.Duration(100+rand.IntN(500)) * time.Millisecond) // the random moment of the crash
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
		for _, raw := range m["jobs"].([]any) {
			j := raw.(map[string]any)
			listed[j["id"].(string)] = j
			if (j["next_run"] != nil) != (j["enabled"] == true) {
				t.Errorf("round %d: job %s enabled=%v but next_run=%v after restart", round, j["id"], j["enabled"], j["next_run"])
			}
		}
		for id, paused := range jobs {
			j, ok := listed[id]
			if !ok {
				t.Errorf("round %d: acknowledged job %s lost", round, id)
				continue
			}
			if paused && j["enabled"] != false {
				t.Errorf("round %d: acknowledged pause of %s lost", round, id)
			}
		}
		nSettings, nJobs := len(settings), len(jobs)
		mu.Unlock()
		_, m = after.call("GET", "/api/settings/ai-providers", "")
		active := 0
		for _, raw := range m["data"].([]any) {
			if raw.(map[string]any)["is_active"] == true {
				active++
			}
		}
		if active > 1 {
			t.Errorf("round %d: %d active providers", round, active)
		}
		after.cmd.Process.Signal(syscall.SIGTERM)
		after.cmd.Wait()
		if out, ok := sb(t, "", "check", "--db", db); !ok {
			t.Errorf("round %d: check: %s", round, out)
		}
		t.Logf("round %d: %d settings and %d jobs acknowledged so far, all present", round, nSettings, nJobs)
		if t.Failed() {
			return
		}
	}
}
