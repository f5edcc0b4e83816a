-- The region's working-time calendar: working hours per weekday (the text form of
-- domain::calendar::parse_week), the answer deadlines in working time, and holidays
-- (national holidays and cuti bersama) edited by the admin or imported from CSV / iCalendar.
ALTER TABLE region_settings ADD COLUMN working_week TEXT NOT NULL
    DEFAULT 'mon-thu 07:30-12:00 13:00-16:00; fri 07:30-11:30 13:00-16:00';
ALTER TABLE region_settings ADD COLUMN answer_within_sms TEXT NOT NULL DEFAULT '3wh';
ALTER TABLE region_settings ADD COLUMN answer_within TEXT NOT NULL DEFAULT '5wd';
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    name TEXT NOT NULL
);
