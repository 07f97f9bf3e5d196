using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PagesLookupIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_employees_level",
                table: "employees");

            migrationBuilder.CreateIndex(
                name: "IX_employees_level_status_name",
                table: "employees",
                columns: new[] { "level", "status", "name" });

            migrationBuilder.CreateIndex(
                name: "IX_accounts_roles",
                table: "accounts",
                column: "roles");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_employees_level_status_name",
                table: "employees");

            migrationBuilder.DropIndex(
                name: "IX_accounts_roles",
                table: "accounts");

            migrationBuilder.CreateIndex(
                name: "IX_employees_level",
                table: "employees",
                column: "level");
        }
    }
}
