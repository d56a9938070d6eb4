"""What the bot remembers: SQLModel models, the async engine, queries and migrations."""
