//go:build linux

// Command cputime runs commands in turn, run after run, and prints for
// each the CPU time it used (user plus system, from the kernel's
// accounting, to the microsecond), its wall time, page faults and peak
// RSS: the machine's drifting load falls on all of them alike.
//
//	go run ./bench/cputime [-n RUNS] [-json] CMD1 ARGS... --- CMD2 ARGS... ---
//
// Each command runs as it is, without a shell (whose own start would be
// counted), its output discarded. The figures are the minimum and the
// median over the runs. A command that fails is run no more, and the
// last line of its error output is reported.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// stats are one command's figures: times in milliseconds.
type stats struct {
	Cmd       string  `json:"cmd"`
	CPUMin    float64 `json:"cpu_min_ms"`
	CPUMedian float64 `json:"cpu_median_ms"`
	UserMin   float64 `json:"user_min_ms"`
	SysMin    float64 `json:"sys_min_ms"`
	WallMed   float64 `json:"wall_median_ms"`
	Faults    int64   `json:"faults_min"`
	RSSMB     float64 `json:"peak_rss_mb"`
	Failed    string  `json:"failed,omitempty"`
}

func main() {
	n := flag.Int("n", 9, "runs of each command")
	asJSON := flag.Bool("json", false, "print JSON lines instead of a table")
	flag.Parse()
	var cmds [][]string
	for rest := flag.Args(); len(rest) > 0; {
		i := slices.Index(rest, "---")
		if i < 0 {
			i = len(rest)
		}
		if i > 0 {
			cmds = append(cmds, rest[:i])
		}
		rest = rest[min(i+1, len(rest)):]
	}
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "usage: cputime [-n RUNS] [-json] CMD ARGS... [--- CMD ARGS...]...")
		os.Exit(2)
	}
	type sample struct{ cpu, user, sys, wall float64 }
	samples := make([][]sample, len(cmds))
	out := make([]stats, len(cmds))
	for i := range out {
		out[i].Cmd = strings.Join(cmds[i], " ")
		out[i].Faults = -1
	}
	for range *n {
		for j, c := range cmds {
			if out[j].Failed != "" {
				continue
			}
			cmd := exec.Command(c[0], c[1:]...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			t := time.Now()
			err := cmd.Run()
			wall := time.Since(t)
			if err != nil {
				lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
				out[j].Failed = err.Error() + ": " + lines[len(lines)-1]
				continue
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			user, sys := cmd.ProcessState.UserTime(), cmd.ProcessState.SystemTime()
			samples[j] = append(samples[j], sample{ms(user + sys), ms(user), ms(sys), ms(wall)})
			if f := ru.Minflt + ru.Majflt; out[j].Faults < 0 || f < out[j].Faults {
				out[j].Faults = f
			}
			out[j].RSSMB = max(out[j].RSSMB, float64(ru.Maxrss)/1024) // KiB on Linux
		}
	}
	for j := range out {
		s := samples[j]
		if len(s) == 0 {
			continue
		}
		cpu := sorted(s, func(x sample) float64 { return x.cpu })
		out[j].CPUMin, out[j].CPUMedian = cpu[0], cpu[len(cpu)/2]
		out[j].UserMin = sorted(s, func(x sample) float64 { return x.user })[0]
		out[j].SysMin = sorted(s, func(x sample) float64 { return x.sys })[0]
		out[j].WallMed = sorted(s, func(x sample) float64 { return x.wall })[len(s)/2]
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, st := range out {
			enc.Encode(st)
		}
		return
	}
	fmt.Printf("%9s %9s %8s %8s %9s %7s %7s  %s\n", "cpu min", "cpu med", "user", "sys", "wall med", "faults", "rss MB", "command")
	for _, st := range out {
		if st.Failed != "" {
			fmt.Printf("%s: fails: %s\n", st.Cmd, st.Failed)
			continue
		}
		fmt.Printf("%9.1f %9.1f %8.1f %8.1f %9.1f %7d %7.1f  %s\n", st.CPUMin, st.CPUMedian, st.UserMin, st.SysMin, st.WallMed, st.Faults, st.RSSMB, st.Cmd)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func sorted[T any](s []T, key func(T) float64) []float64 {
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = key(x)
	}
	slices.Sort(v)
	return v
}
