// Package deploy holds checks and helpers for deploying with AWS SAM. Its
// tests keep template.yaml honest against the Go code: the HTTP API routes
// equal the route table and the table matches the store's schema.
package deploy
