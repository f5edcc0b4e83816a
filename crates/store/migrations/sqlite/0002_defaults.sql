INSERT INTO categories (code, name, sort_order) VALUES
    ('informasi', 'Informasi', 1),
    ('pengaduan', 'Pengaduan', 2),
    ('pertanyaan', 'Pertanyaan', 3),
    ('saran', 'Saran', 4);
INSERT INTO region_settings (id, name, timezone) VALUES (1, 'Pemerintah Daerah', 'Asia/Jakarta');
INSERT INTO agencies (code, name, kind) VALUES ('SETDA', 'Sekretariat Pengaduan', 'secretariat');
