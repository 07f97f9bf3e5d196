using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FeedbackRelease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "released_at",
                table: "observations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_observations_released_at",
                table: "observations",
                column: "released_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_observations_released_at",
                table: "observations");

            migrationBuilder.DropColumn(
                name: "released_at",
                table: "observations");
        }
    }
}
