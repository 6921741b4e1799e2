// Command invoke runs one function's real handler with one event file
// against the local data directory: make invoke FN=<name> EVENT=<file>.
// The response goes to stdout, the function's logs to stderr; the exit
// status is 1 when the function failed, 2 when it could not be run.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/ezscale/platform/infra/invoke"
)

func main() {
	resolve := flag.Bool("resolve", false, "print the event with its placeholders filled instead of running it (for sam local invoke -e -)")
	timeout := flag.Duration("timeout", time.Minute, "the function's timeout")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: invoke [-resolve] [-timeout 1m] <function> <event.json>\n  functions: %v\n  DATA_DIR is the local data directory (default .data)\n", invoke.Functions)
		flag.PrintDefaults()
		fmt.Fprintln(os.Stderr, "placeholders an event may hold as {{name}} (docs/invoke.md):")
		for _, name := range slices.Sorted(maps.Keys(invoke.Placeholders)) {
			fmt.Fprintf(os.Stderr, "  %-26s %s\n", name, invoke.Placeholders[name])
		}
	}
	flag.Parse()
	if flag.NArg() != 2 {
		flag.Usage()
		os.Exit(2)
	}
	fn, path := flag.Arg(0), flag.Arg(1)
	event, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	dir := os.Getenv("DATA_DIR")
	if dir == "" {
		dir = ".data"
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res, err := invoke.Run(ctx, invoke.Options{DataDir: dir, Function: fn, Event: event, Log: os.Stderr, Timeout: *timeout, ResolveOnly: *resolve})
	if err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	if *resolve {
		fmt.Println(string(res.Event))
		return
	}
	for _, a := range res.Answers {
		b, _ := json.Marshal(a)
		fmt.Fprintf(os.Stderr, "task token answered (no workflow waits on it in a one-off run): %s\n", b)
	}
	if res.Error != nil {
		b, _ := json.MarshalIndent(map[string]string{"errorType": res.Error.Type, "errorMessage": res.Error.Message}, "", "  ")
		fmt.Println(string(b))
		os.Exit(1)
	}
	var pretty any
	if json.Unmarshal(res.Response, &pretty) == nil {
		if b, err := json.MarshalIndent(pretty, "", "  "); err == nil {
			res.Response = b
		}
	}
	fmt.Println(string(res.Response))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "invoke:", err)
	os.Exit(2)
}
