using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DecisionSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "decision_snapshot_dates",
                columns: table => new
                {
                    decided_on = table.Column<DateOnly>(type: "date", nullable: false),
                    framework_version_id = table.Column<int>(type: "integer", nullable: false),
                    evidence_revision = table.Column<long>(type: "bigint", nullable: false),
                    computed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_decision_snapshot_dates", x => x.decided_on);
                });

            migrationBuilder.CreateTable(
                name: "evidence_revision",
                columns: table => new
                {
                    id = table.Column<int>(type: "integer", nullable: false),
                    value = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_evidence_revision", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "decision_snapshots",
                columns: table => new
                {
                    decided_on = table.Column<DateOnly>(type: "date", nullable: false),
                    employee_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    values_score = table.Column<double>(type: "double precision", nullable: true),
                    results_score = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_decision_snapshots", x => new { x.decided_on, x.employee_id });
                    table.ForeignKey(
                        name: "FK_decision_snapshots_decision_snapshot_dates_decided_on",
                        column: x => x.decided_on,
                        principalTable: "decision_snapshot_dates",
                        principalColumn: "decided_on",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "evidence_revision",
                columns: new[] { "id", "value" },
                values: new object[] { 1, 0L });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "decision_snapshots");

            migrationBuilder.DropTable(
                name: "evidence_revision");

            migrationBuilder.DropTable(
                name: "decision_snapshot_dates");
        }
    }
}
