DROP TABLE report_views;
DROP TABLE report_links;
