-- PostgreSQL's form of 0008_plan_figure_order.sql: no figures to number (a catalog there is new).
ALTER TABLE plan_figures ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
