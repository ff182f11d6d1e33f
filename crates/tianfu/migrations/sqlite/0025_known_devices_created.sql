-- Known devices older than a year count for nothing and are deleted when a new device signs in
-- (accounts/login_guard/device.rs): that DELETE finds them by this index.
CREATE INDEX known_devices_created ON known_devices (created_at);
