DROP TABLE service_desk_settings;
