using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FrozenFeedbackHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "pulse_released",
                table: "transition_plans",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "shown_until",
                table: "observation_versions",
                type: "timestamp with time zone",
                nullable: true);

            // Versions that stopped showing before this migration: their change was released in the batch of its group
            // (subject, behaviour, relationship) that came first at or after the change, which released or re-released a row
            // of the group at that moment. A batch made of changes alone released no row: then the group's latest change
            // that stopped showing, which ends such versions together, never earlier than their batch. Plans keep a
            // pulse_released of 0: the first read after this releases ⌊n/k⌋·k answers, what was shown before.
            migrationBuilder.Sql("""
                UPDATE observation_versions SET shown_until = COALESCE(
                    (SELECT MIN(t.released_at) FROM (
                        SELECT subject_id, behavior, relationship, released_at FROM observations
                        UNION ALL SELECT subject_id, behavior, relationship, released_at FROM observation_versions) AS t
                     WHERE t.subject_id = observation_versions.subject_id AND t.behavior = observation_versions.behavior
                       AND t.relationship = observation_versions.relationship AND t.released_at >= observation_versions.changed_at),
                    (SELECT MAX(w.changed_at) FROM observation_versions AS w
                     WHERE w.subject_id = observation_versions.subject_id AND w.behavior = observation_versions.behavior
                       AND w.relationship = observation_versions.relationship AND w.shown_to_subject = FALSE AND w.released_at IS NOT NULL))
                WHERE shown_to_subject = FALSE AND released_at IS NOT NULL AND relationship IN ('peer', 'report', 'other');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "pulse_released",
                table: "transition_plans");

            migrationBuilder.DropColumn(
                name: "shown_until",
                table: "observation_versions");
        }
    }
}
