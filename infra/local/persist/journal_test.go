package persist_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/shared/adapters/dynamo"
)

func openWith(t testing.TB, path string, o persist.Options) *persist.Store {
	t.Helper()
	emu := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), emu, "t"); err != nil {
		t.Fatal(err)
	}
	s, err := persist.OpenWith(context.Background(), emu, "t", path, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func key(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}

// step writes entry i the way the platform's transactions do: a new item
// and a counter that must agree with it.
func step(ctx context.Context, s *persist.Store, i int) error {
	item := key(fmt.Sprintf("E#%06d", i), "E")
	item["pad"] = &types.AttributeValueMemberS{Value: strings.Repeat("x", 200)}
	_, err := s.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("t"), Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Update: &types.Update{TableName: aws.String("t"), Key: key("COUNTER", "C"), UpdateExpression: aws.String("SET n = :n"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":n": &types.AttributeValueMemberN{Value: strconv.Itoa(i)}}}},
	}})
	return err
}

// contents returns the entries present and the counter.
func contents(t testing.TB, s *persist.Store) (map[int]bool, int) {
	t.Helper()
	out, err := s.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	seen, counter := map[int]bool{}, -1
	for _, item := range out.Items {
		pk := item["PK"].(*types.AttributeValueMemberS).Value
		if pk == "COUNTER" {
			counter, _ = strconv.Atoi(item["n"].(*types.AttributeValueMemberN).Value)
			continue
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(pk, "E#"))
		seen[n] = true
	}
	return seen, counter
}

func TestTornLastLineIsDropped(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "table.jsonl")
	s := openWith(t, path, persist.Options{})
	for i := range 3 {
		if err := step(ctx, s, i); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	data, _ := os.ReadFile(path)
	// A kill in the middle of the fourth append leaves half a line.
	if err := os.WriteFile(path, append(data, []byte(`{"put":[{"PK":{"S":"E#0000`)...), 0o600); err != nil {
		t.Fatal(err)
	}
	again := openWith(t, path, persist.Options{})
	if err := step(ctx, again, 3); err != nil {
		t.Fatal(err)
	}
	third := openWith(t, path, persist.Options{})
	if seen, counter := contents(t, third); len(seen) != 4 || counter != 3 {
		t.Fatalf("after a torn line and a new write: entries %v counter %d", seen, counter)
	}
}

// A write appends a line the size of the items it touched, however large
// the table already is.
func TestWriteCostsItsItemsNotTheTable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "table.jsonl")
	s := openWith(t, path, persist.Options{CompactAfter: 1 << 30})
	size := func() int64 { fi, _ := os.Stat(path); return fi.Size() }
	var first, last int64
	for i := range 500 {
		before := size()
		if err := step(ctx, s, i); err != nil {
			t.Fatal(err)
		}
		grew := size() - before
		if i == 0 {
			first = grew
		}
		last = grew
	}
	if first > 600 || last > first+16 {
		t.Fatalf("journal grew %d bytes for the first write and %d for the 500th; want the same few hundred", first, last)
	}
}

func TestCompactionKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "table.jsonl")
	s := openWith(t, path, persist.Options{CompactAfter: 4 << 10})
	for i := range 300 {
		if err := step(ctx, s, i); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 { // deletes must survive compaction too
			if _, err := s.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: key(fmt.Sprintf("E#%06d", i), "E")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	fi, _ := os.Stat(path)
	// 200 live entries of ~300 bytes; without compaction the journal would
	// hold 300 transactions and 100 deletes (~190 KB).
	if fi.Size() > 150<<10 {
		t.Fatalf("journal is %d bytes: compaction did not run", fi.Size())
	}
	seen, counter := contents(t, openWith(t, path, persist.Options{}))
	if len(seen) != 200 || counter != 299 || seen[3] || !seen[4] {
		t.Fatalf("after compaction: %d entries (want 200), counter %d", len(seen), counter)
	}
}

// The child side of TestKillNineLosesNothingAcknowledged: it writes entries
// as fast as it can and prints each one's number once the write returned.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PERSIST_KILL_CHILD"); dir != "" {
		os.Exit(killChild(dir))
	}
	os.Exit(m.Run())
}

func killChild(path string) int {
	emu := minidyn.NewClient()
	ctx := context.Background()
	if err := dynamo.EnsureTable(ctx, emu, "t"); err != nil {
		return 2
	}
	s, err := persist.OpenWith(ctx, emu, "t", path, persist.Options{CompactAfter: 8 << 10})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	start, _ := strconv.Atoi(os.Getenv("PERSIST_KILL_START"))
	for i := start; ; i++ {
		if err := step(ctx, s, i); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		fmt.Fprintln(os.Stdout, i) // unbuffered: the parent sees it at once
	}
}

func TestKillNineLosesNothingAcknowledged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.jsonl")
	next, kills := 0, 0
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PERSIST_KILL_CHILD="+path, "PERSIST_KILL_START="+strconv.Itoa(next))
		out, _ := cmd.StdoutPipe()
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := -1
		lines := bufio.NewScanner(out)
		// Kill after a random number of acknowledged writes, so the kill
		// lands at an arbitrary point of an append or a compaction.
		stopAt := next + 20 + rand.IntN(200)
		for lines.Scan() {
			acked, _ = strconv.Atoi(lines.Text())
			if acked >= stopAt {
				break
			}
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		for lines.Scan() { // writes acknowledged before the kill landed
			acked, _ = strconv.Atoi(lines.Text())
		}
		_ = cmd.Wait()
		kills++
		seen, counter := contents(t, openWith(t, path, persist.Options{}))
		for i := 0; i <= acked; i++ {
			if !seen[i] {
				t.Fatalf("round %d: entry %d was acknowledged but is gone after kill -9", round, i)
			}
		}
		// Each transaction is all or nothing: the counter names the newest entry.
		if counter != len(seen)-1 {
			t.Fatalf("round %d: counter %d but %d entries: a transaction was replayed in part", round, counter, len(seen))
		}
		next = len(seen)
	}
	t.Logf("%d kills, %d entries, none lost", kills, next)
}
