using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ObservationVersions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "observation_versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    observation_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    change = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    changed_at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    subject_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rater_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    relationship = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    behavior = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    rating = table.Column<int>(type: "INTEGER", nullable: false),
                    observed_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    comment = table.Column<string>(type: "TEXT", nullable: true),
                    visibility = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    released_at = table.Column<DateTime>(type: "TEXT", nullable: true),
                    shown_to_subject = table.Column<bool>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_observation_versions", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_observation_versions_observation_id_version",
                table: "observation_versions",
                columns: new[] { "observation_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_observation_versions_subject_id_shown_to_subject",
                table: "observation_versions",
                columns: new[] { "subject_id", "shown_to_subject" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "observation_versions");
        }
    }
}
