-- Leases of background workers (relay sync, billing, the robot, sweepers), so that several `caravel serve`
-- instances on one PostgreSQL database run each worker in exactly one of them. A holder renews its row well
-- before `expires_at` (milliseconds since the epoch, by the holder's clock); another instance takes the row over
-- only once it has expired. On SQLite the single instance holds every lease.
CREATE TABLE worker_lease (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
