using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
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
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    observation_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    change = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    changed_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    subject_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    rater_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    relationship = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    behavior = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    rating = table.Column<int>(type: "integer", nullable: false),
                    observed_on = table.Column<DateOnly>(type: "date", nullable: false),
                    comment = table.Column<string>(type: "text", nullable: true),
                    visibility = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    released_at = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    shown_to_subject = table.Column<bool>(type: "boolean", nullable: false)
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
