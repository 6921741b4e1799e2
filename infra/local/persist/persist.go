// Package persist gives the embedded DynamoDB emulator (which keeps
// nothing on disk) durability for make dev: an append-only journal.
//
// After every successful write the items it touched are read back and
// appended as one JSON line, and the line is fsynced before the write
// returns, so a write costs the size of its items, not of the table, and
// every acknowledged write survives kill -9. A transaction is one line, so
// it is replayed whole or not at all. A line that a kill cut short was
// never acknowledged; it is dropped when the journal is opened again.
//
// When the journal has grown to several times the live data, it is
// compacted: the table is written to a new file as plain items, fsynced
// and renamed over the journal, so a kill during compaction leaves either
// the old journal or the new one.
package persist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
)

// Backend is the emulator: the store's API plus the scan used to compact.
type Backend interface {
	dynamo.API
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Options tunes compaction; the zero value is what make dev uses.
type Options struct {
	// CompactAfter is how many journal bytes may be written past the last
	// compaction's size before the next one (at least this, and at least
	// twice the live data). Default 8 MiB.
	CompactAfter int64
}

// Store is a Backend whose writes are durable in a journal file.
type Store struct {
	Backend
	table, path string
	opts        Options

	// mu serialises write+append, so the journal's order is the order in
	// which writes took effect.
	mu     sync.Mutex
	file   *os.File
	size   int64 // bytes in the journal now
	base   int64 // bytes right after the last compaction
	broken error // set when an append failed: memory and disk disagree
}

// Open replays the journal at path (if any) into backend's table and
// returns the durable store. The table must exist and be empty.
func Open(ctx context.Context, backend Backend, table, path string) (*Store, error) {
	return OpenWith(ctx, backend, table, path, Options{})
}

// OpenEmbedded is Open on a fresh embedded emulator (minidyn) holding an
// empty table of the store's layout: what make dev, the restore drill and
// the benchmarks run on.
func OpenEmbedded(ctx context.Context, table, path string) (*Store, error) {
	emu := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, emu, table); err != nil {
		return nil, err
	}
	return Open(ctx, emu, table, path)
}

// OpenWith is Open with explicit options.
func OpenWith(ctx context.Context, backend Backend, table, path string, o Options) (*Store, error) {
	if o.CompactAfter <= 0 {
		o.CompactAfter = 8 << 20
	}
	s := &Store{Backend: backend, table: table, path: path, opts: o}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	size, err := s.replay(ctx)
	if err != nil {
		return nil, fmt.Errorf("replay %s: %w", path, err)
	}
	s.file, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	s.size, s.base = size, size
	return s, nil
}

// Close releases the journal file. Writes are durable without it.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.file.Close()
}

// replay applies every complete line and cuts off a torn last one. It
// returns the journal's size afterwards.
func (s *Store) replay(ctx context.Context) (int64, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	good := int64(0)
	for line := 1; len(data) > 0; line++ {
		end := bytes.IndexByte(data, '\n')
		if end < 0 {
			// No newline: the append was cut short by a crash and never
			// acknowledged. Drop it so the next append starts clean.
			if err := os.Truncate(s.path, good); err != nil {
				return 0, fmt.Errorf("drop torn line %d: %w", line, err)
			}
			break
		}
		rec, err := decodeLine(data[:end])
		if err != nil {
			return 0, fmt.Errorf("line %d: %w", line, err)
		}
		if err := s.apply(ctx, rec); err != nil {
			return 0, fmt.Errorf("line %d: %w", line, err)
		}
		good += int64(end + 1)
		data = data[end+1:]
	}
	return good, nil
}

func (s *Store) apply(ctx context.Context, rec record) error {
	for _, item := range rec.puts {
		if _, err := s.Backend.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
			return err
		}
	}
	for _, key := range rec.dels {
		if _, err := s.Backend.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: key}); err != nil {
			return err
		}
	}
	return nil
}

// write runs a mutating call and, if it succeeded, journals the items at
// keys before returning. A failed append is reported as the call's error
// and refuses every later write, so the caller never believes an undurable
// write is safe and the journal never skips one.
func write[O any](ctx context.Context, s *Store, keys []map[string]types.AttributeValue, call func() (O, error)) (O, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero O
	if s.broken != nil {
		return zero, fmt.Errorf("persist: journal failed earlier, restart to recover: %w", s.broken)
	}
	out, err := call()
	if err != nil || len(keys) == 0 {
		return out, err
	}
	if err := s.journal(ctx, keys); err != nil {
		s.broken = err
		return zero, fmt.Errorf("persist journal: %w", err)
	}
	if s.size-s.base > max(s.opts.CompactAfter, 2*s.base) {
		if err := s.compact(ctx); err != nil {
			// The journal is intact; compaction is tried again later.
			s.base = s.size
		}
	}
	return out, nil
}

// journal reads back the items at keys (as the write left them) and
// appends them as one fsynced line.
func (s *Store) journal(ctx context.Context, keys []map[string]types.AttributeValue) error {
	var rec record
	for _, key := range keys {
		got, err := s.Backend.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: key})
		if err != nil {
			return fmt.Errorf("read back: %w", err)
		}
		if len(got.Item) == 0 { // the emulator answers an empty item for a missing one
			rec.dels = append(rec.dels, key)
		} else {
			rec.puts = append(rec.puts, got.Item)
		}
	}
	line, err := encodeLine(rec)
	if err != nil {
		return err
	}
	if _, err := s.file.Write(line); err != nil {
		return err
	}
	if err := s.file.Sync(); err != nil {
		return err
	}
	s.size += int64(len(line))
	return nil
}

// compact writes every item to a new file and renames it over the journal.
func (s *Store) compact(ctx context.Context) error {
	dir := filepath.Dir(s.path)
	tmp, err := os.CreateTemp(dir, ".compact-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	size, err := s.dump(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // make the rename itself durable
		d.Close()
	}
	f, err := os.OpenFile(s.path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		// The old handle points at the replaced file: appending there
		// would lose writes, so refuse them until a restart.
		s.broken = fmt.Errorf("reopen after compaction: %w", err)
		return err
	}
	s.file.Close()
	s.file, s.size, s.base = f, size, size
	return nil
}

// dump writes the whole table as one plain item per line.
func (s *Store) dump(ctx context.Context, f *os.File) (int64, error) {
	var start map[string]types.AttributeValue
	var buf []byte
	for {
		out, err := s.Backend.Scan(ctx, &dynamodb.ScanInput{TableName: &s.table, ExclusiveStartKey: start})
		if err != nil {
			return 0, err
		}
		for _, item := range out.Items {
			line, err := encodeItemLine(item)
			if err != nil {
				return 0, err
			}
			buf = append(buf, line...)
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	n, err := f.Write(buf)
	return int64(n), err
}

func keyOf(item map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]}
}

// PutItem implements the store API durably.
func (s *Store) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return write(ctx, s, []map[string]types.AttributeValue{keyOf(in.Item)}, func() (*dynamodb.PutItemOutput, error) {
		return s.Backend.PutItem(ctx, in, opts...)
	})
}

// UpdateItem implements the store API durably.
func (s *Store) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return write(ctx, s, []map[string]types.AttributeValue{in.Key}, func() (*dynamodb.UpdateItemOutput, error) {
		return s.Backend.UpdateItem(ctx, in, opts...)
	})
}

// DeleteItem implements the store API durably.
func (s *Store) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return write(ctx, s, []map[string]types.AttributeValue{in.Key}, func() (*dynamodb.DeleteItemOutput, error) {
		return s.Backend.DeleteItem(ctx, in, opts...)
	})
}

// TransactWriteItems implements the store API durably: the transaction's
// items are one journal line.
func (s *Store) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var keys []map[string]types.AttributeValue
	for _, op := range in.TransactItems {
		switch {
		case op.Put != nil:
			keys = append(keys, keyOf(op.Put.Item))
		case op.Update != nil:
			keys = append(keys, op.Update.Key)
		case op.Delete != nil:
			keys = append(keys, op.Delete.Key)
		}
	}
	return write(ctx, s, keys, func() (*dynamodb.TransactWriteItemsOutput, error) {
		return s.Backend.TransactWriteItems(ctx, in, opts...)
	})
}
