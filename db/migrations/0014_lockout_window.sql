-- Account lockout counts the wrong passwords of one run: the run starts with its first failure and ends
-- LockoutPolicy.FailureWindow (15 minutes) later, so the lock needs MaxConsecutiveFailures wrong passwords within one
-- window. The per-address login throttle allows fewer than that per window, so one address alone can no longer lock an
-- account, let alone keep it locked (issue 16). Before this column the count was of consecutive failures at any pace.
ALTER TABLE users ADD COLUMN failed_login_since timestamptz;
