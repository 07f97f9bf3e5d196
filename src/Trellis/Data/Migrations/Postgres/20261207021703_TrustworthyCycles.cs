using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TrustworthyCycles : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateOnly>(
                name: "closed_on",
                table: "transition_plans",
                type: "date",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "closed_reason",
                table: "transition_plans",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "pulse_invited_at",
                table: "transition_check_ins",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "reports_moved_to",
                table: "track_returns",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "recuse",
                table: "cycles",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "self"); // existing cycles keep the rule they ran under: only one's own candidacy

            migrationBuilder.CreateTable(
                name: "conversation_requests",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    nomination_id = table.Column<int>(type: "integer", nullable: false),
                    candidate_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    with_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    message = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    created_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_conversation_requests", x => x.id);
                    table.ForeignKey(
                        name: "FK_conversation_requests_nominations_nomination_id",
                        column: x => x.nomination_id,
                        principalTable: "nominations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "cycle_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    cycle_id = table.Column<int>(type: "integer", nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    override_reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    by = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_cycle_events", x => x.id);
                    table.ForeignKey(
                        name: "FK_cycle_events_cycles_cycle_id",
                        column: x => x.cycle_id,
                        principalTable: "cycles",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "employee_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    employee_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    detail = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    by = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_employee_events", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_conversation_requests_nomination_id",
                table: "conversation_requests",
                column: "nomination_id");

            migrationBuilder.CreateIndex(
                name: "IX_conversation_requests_with_id",
                table: "conversation_requests",
                column: "with_id");

            migrationBuilder.CreateIndex(
                name: "IX_cycle_events_cycle_id",
                table: "cycle_events",
                column: "cycle_id");

            migrationBuilder.CreateIndex(
                name: "IX_employee_events_employee_id",
                table: "employee_events",
                column: "employee_id");

            // Data fix (issue 11): the earlier rule published "deferred" for a candidate who never answered and whom the
            // committee decided "not yet", relabelling the committee's decision as the candidate's choice. Where the last
            // decision was not_yet and the stored outcome says deferred without a defer answer, it becomes not_promoted —
            // in the promotion history (promotions.csv, the audit) and on the nomination. Plain SQL, the same on both providers.
            migrationBuilder.Sql("""
                UPDATE promotions SET outcome = 'not_promoted'
                WHERE outcome = 'deferred' AND EXISTS (
                    SELECT 1 FROM nominations n JOIN cycles c ON c.id = n.cycle_id
                    WHERE c.name = promotions.cycle AND n.employee_id = promotions.employee_id
                      AND n.decision = 'not_yet' AND (n.choice IS NULL OR n.choice <> 'defer'));
                """);
            migrationBuilder.Sql("""
                UPDATE nominations SET published_outcome = 'not_promoted'
                WHERE published_outcome = 'deferred' AND decision = 'not_yet' AND (choice IS NULL OR choice <> 'defer');
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "conversation_requests");

            migrationBuilder.DropTable(
                name: "cycle_events");

            migrationBuilder.DropTable(
                name: "employee_events");

            migrationBuilder.DropColumn(
                name: "closed_on",
                table: "transition_plans");

            migrationBuilder.DropColumn(
                name: "closed_reason",
                table: "transition_plans");

            migrationBuilder.DropColumn(
                name: "pulse_invited_at",
                table: "transition_check_ins");

            migrationBuilder.DropColumn(
                name: "reports_moved_to",
                table: "track_returns");

            migrationBuilder.DropColumn(
                name: "recuse",
                table: "cycles");
        }
    }
}
