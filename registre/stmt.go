package registre

import (
	"database/sql"
	"strings"
	"sync"
)

// stmtTx is a transaction that prepares each distinct statement once and
// runs it again with new arguments: a pack runs the same few statements for
// every document, and SQLite parsing and planning them again each time was
// about 7 % of its CPU. The statements end with the transaction.
type stmtTx struct {
	*sql.Tx
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// stmt is query prepared in the transaction, nil for a query holding
// several statements or one that does not prepare (the plain call then
// reports its error).
func (s *stmtTx) stmt(query string) *sql.Stmt {
	if strings.Contains(query, ";") {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[query]; ok {
		return st
	}
	st, err := s.Tx.Prepare(query)
	if err != nil {
		return nil
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st
}

func (s *stmtTx) Exec(query string, args ...any) (sql.Result, error) {
	if st := s.stmt(query); st != nil {
		return st.Exec(args...)
	}
	return s.Tx.Exec(query, args...)
}

func (s *stmtTx) Query(query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(query); st != nil {
		return st.Query(args...)
	}
	return s.Tx.Query(query, args...)
}

func (s *stmtTx) QueryRow(query string, args ...any) *sql.Row {
	if st := s.stmt(query); st != nil {
		return st.QueryRow(args...)
	}
	return s.Tx.QueryRow(query, args...)
}
