package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat; it is 100 on
// every Linux ABI Go supports.
const clockTicks = 100

// cpuShares is CPU time used, by who used it.
type cpuShares map[string]time.Duration

// Who used the CPU during a scenario: DynamoDB Local runs as java, every function instance as
// bootstrap, and this process is both the local runner and the senders.
const (
	whoDynamo  = "DynamoDB Local"
	whoLambdas = "function instances"
	whoRunner  = "runner and senders"
	whoOther   = "everything else"
)

// processCPU reads the CPU time every process on the machine has used so far (threads
// included), grouped by who. Processes that end between two readings are missed, so readings
// are taken around scenarios whose processes live throughout. On systems without /proc it
// returns an empty map.
func processCPU() cpuShares {
	out := cpuShares{}
	self := os.Getpid()
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended
		}
		s := string(raw)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || end+2 > len(s) {
			continue
		}
		fields := strings.Fields(s[end+2:]) // fields[0] is the state, field 3 of stat(5)
		if len(fields) < 13 {
			continue
		}
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		used := time.Duration(utime+stime) * time.Second / clockTicks
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		out[who(s[open+1:end], pid == self)] += used
	}
	return out
}

func who(comm string, self bool) string {
	switch {
	case self:
		return whoRunner
	case comm == "java":
		return whoDynamo
	case comm == "bootstrap":
		return whoLambdas
	}
	return whoOther
}

// since returns the CPU used between an earlier reading and this one.
func (now cpuShares) since(before cpuShares) cpuShares {
	d := cpuShares{}
	for k, v := range now {
		if used := v - before[k]; used > 0 {
			d[k] = used
		}
	}
	return d
}
