// Package persist gives the embedded DynamoDB emulator (which keeps
// nothing on disk) durability for make dev: after every successful write
// the whole table is snapshotted to a file (write to a temporary file,
// fsync, rename), before the write returns to its caller. A crash or kill
// at any moment therefore leaves either the previous or the new snapshot,
// never a torn one, and every acknowledged write survives a restart.
//
// Snapshotting the whole table per write is O(table) and fine for a
// developer's data set; it is not a production storage engine.
package persist

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/dynamo"
)

// Backend is the emulator: the store's API plus the scan used to snapshot.
type Backend interface {
	dynamo.API
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// Store is a Backend whose writes are durable in a snapshot file.
type Store struct {
	Backend
	table string
	path  string
	// mu serialises write+snapshot so a snapshot always includes every
	// write acknowledged before it.
	mu sync.Mutex
}

// Open restores the snapshot at path (if any) into backend's table and
// returns the durable store. The table must exist and be empty.
func Open(ctx context.Context, backend Backend, table, path string) (*Store, error) {
	s := &Store{Backend: backend, table: table, path: path}
	if err := s.restore(ctx); err != nil {
		return nil, fmt.Errorf("restore %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) restore(ctx context.Context) error {
	f, err := os.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var raw map[string]wireAV
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		item, err := decodeItem(raw)
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if _, err := s.Backend.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: item}); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
	return sc.Err()
}

// snapshot writes every item as one JSON line, atomically.
func (s *Store) snapshot(ctx context.Context) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".snapshot-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	w := bufio.NewWriter(tmp)
	var start map[string]types.AttributeValue
	for {
		out, err := s.Backend.Scan(ctx, &dynamodb.ScanInput{TableName: &s.table, ExclusiveStartKey: start})
		if err != nil {
			tmp.Close()
			return err
		}
		for _, item := range out.Items {
			enc, err := encodeItem(item)
			if err != nil {
				tmp.Close()
				return err
			}
			b, _ := json.Marshal(enc)
			w.Write(b)
			w.WriteByte('\n')
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		start = out.LastEvaluatedKey
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}

// write runs a mutating call and, if it succeeded, snapshots before
// returning. A failed snapshot is reported as the call's error so the
// caller never believes an undurable write is safe.
func write[O any](ctx context.Context, s *Store, call func() (O, error)) (O, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := call()
	if err != nil {
		return out, err
	}
	if err := s.snapshot(ctx); err != nil {
		var zero O
		return zero, fmt.Errorf("persist snapshot: %w", err)
	}
	return out, nil
}

// PutItem implements the store API durably.
func (s *Store) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return write(ctx, s, func() (*dynamodb.PutItemOutput, error) { return s.Backend.PutItem(ctx, in, opts...) })
}

// UpdateItem implements the store API durably.
func (s *Store) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return write(ctx, s, func() (*dynamodb.UpdateItemOutput, error) { return s.Backend.UpdateItem(ctx, in, opts...) })
}

// DeleteItem implements the store API durably.
func (s *Store) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return write(ctx, s, func() (*dynamodb.DeleteItemOutput, error) { return s.Backend.DeleteItem(ctx, in, opts...) })
}

// TransactWriteItems implements the store API durably.
func (s *Store) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return write(ctx, s, func() (*dynamodb.TransactWriteItemsOutput, error) {
		return s.Backend.TransactWriteItems(ctx, in, opts...)
	})
}
