"""The PMS server: owns PostgreSQL and every business rule."""
