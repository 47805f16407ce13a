-- verbatim's store: articles, their quotes, and the speakers across articles.
-- Built into verbatimd (server/embed.S); applied at every start, so every
-- statement is idempotent. Dates are kept three ways: as printed (`date`,
-- "2020-06"), as their first and last day (YYYYMMDD integers, for the
-- overlap rule of date filters), and as a sort key that puts undated
-- articles last in both directions.
PRAGMA foreign_keys = ON;

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS articles (
    rowid          INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,      -- file name without .txt
    source_file    TEXT NOT NULL,
    content_hash   TEXT NOT NULL,             -- of the file's bytes and the extractor version
    title          TEXT,
    date           TEXT,                      -- "2020", "2020-06", "2020-06-11" or NULL
    date_precision TEXT,                      -- "year", "month", "day" or NULL
    first_day      INTEGER,                   -- 20200601 for "2020-06"
    last_day       INTEGER,                   -- 20200630 for "2020-06"
    undated        INTEGER NOT NULL,          -- 1 when date is NULL (sorts last both ways)
    lang           TEXT NOT NULL,
    source_url     TEXT,
    excerpt        TEXT NOT NULL,
    body           TEXT NOT NULL,
    word_count     INTEGER NOT NULL,
    quote_count    INTEGER NOT NULL
);
-- The two orders of every list, newest and oldest first (undated last in
-- both), each with the columns date and language filters read: a page is
-- a seek to its cursor, and a filter reads the index alone, at any depth.
-- Newest first is one number (dated: -first_day; undated: 10^8), because
-- SQLite seeks a cursor of several columns only when all are ascending.
DROP INDEX IF EXISTS articles_by_date;
CREATE INDEX IF NOT EXISTS articles_newest ON articles (undated * 100000000 - first_day, id, last_day, lang);
CREATE INDEX IF NOT EXISTS articles_oldest ON articles (undated, first_day, id, last_day, lang);

CREATE TABLE IF NOT EXISTS quotes (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,        -- "<article id>-<n>"
    article      INTEGER NOT NULL REFERENCES articles (rowid) ON DELETE CASCADE,
    position     INTEGER NOT NULL,            -- n, from 1
    text         TEXT NOT NULL,
    speaker_name TEXT,                        -- as extracted from this article
    speaker_kind TEXT,
    aliases      TEXT,                        -- other names in this article, \x1f-separated
    speaker      TEXT,                        -- speakers.id once merged across articles
    role         TEXT,
    cue          TEXT,
    start        INTEGER NOT NULL,            -- code points into the body
    end          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS quotes_by_article ON quotes (article, position);
CREATE INDEX IF NOT EXISTS quotes_by_speaker ON quotes (speaker, article);

CREATE TABLE IF NOT EXISTS speakers (
    id            TEXT PRIMARY KEY,           -- slug of the name
    name          TEXT NOT NULL,
    name_fold     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    aliases       TEXT NOT NULL,              -- JSON array
    roles         TEXT NOT NULL,              -- JSON array, most frequent first
    quote_count   INTEGER NOT NULL,
    article_count INTEGER NOT NULL,
    first_date    TEXT,
    last_date     TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS speakers_by_count ON speakers (quote_count DESC, id);
CREATE INDEX IF NOT EXISTS speakers_by_name ON speakers (name_fold, id);

-- Every folded form a speaker answers to: id, name, aliases, and for a
-- person the last name alone.
CREATE TABLE IF NOT EXISTS speaker_names (
    form    TEXT NOT NULL,
    speaker TEXT NOT NULL,
    PRIMARY KEY (form, speaker)
) WITHOUT ROWID;

-- What each article's file looked like when it was last read (files.h):
-- a load that finds a file as it was takes it as unchanged without reading
-- it, as git and make do; any other file is read and its hash decides.
CREATE TABLE IF NOT EXISTS article_files (
    id       TEXT PRIMARY KEY,                -- articles.id
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    inode    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS article_speakers (
    article     INTEGER NOT NULL,
    speaker     TEXT NOT NULL,
    quote_count INTEGER NOT NULL,
    first_quote INTEGER NOT NULL,
    PRIMARY KEY (speaker, article)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS article_speakers_by_article ON article_speakers (article, first_quote);

CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5 (
    title, body, content = 'articles', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS quotes_fts USING fts5 (
    text, content = 'quotes', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Rows a load inserts are indexed in bulk when the load ends
-- (vb_store_finish): one INSERT ... SELECT tokenizes 5 times faster than a
-- trigger per row. Deletes keep their triggers: the old text must be given
-- back to an external-content index, and few rows are deleted. Databases
-- made before this had insert triggers: they go.
DROP TRIGGER IF EXISTS articles_ai;
DROP TRIGGER IF EXISTS quotes_ai;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
END;
CREATE TRIGGER IF NOT EXISTS quotes_ad AFTER DELETE ON quotes BEGIN
    INSERT INTO quotes_fts (quotes_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
END;
