using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SignInLockoutsByLogin : Migration
    {
        // SQLite cannot change a primary key or drop a foreign key in place, and EF Core does both by rebuilding the
        // table with PRAGMA foreign_keys = 0, which cannot run inside the migration's transaction: every new database
        // logged a warning, and a crash in the middle would have left the migration half applied. The counters are
        // thrown away anyway, so the table is dropped and created again in its new shape, and the accounts column goes
        // with SQLite's own ALTER TABLE DROP COLUMN (it is in no index or constraint): all inside the transaction, to
        // the same tables, columns, keys and indexes as the rebuild made.

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Counters were kept per account; they are kept per login now. Old ones cannot be carried over (and would
            // collide on the new key): at worst an address that was locked gets its guesses back once.
            migrationBuilder.DropTable(
                name: "sign_in_lockouts");

            migrationBuilder.Sql("ALTER TABLE \"accounts\" DROP COLUMN \"failed_sign_ins\";");

            migrationBuilder.CreateTable(
                name: "sign_in_lockouts",
                columns: table => new
                {
                    login = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    client = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true),
                    window_start = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sign_in_lockouts", x => new { x.login, x.client });
                });

            migrationBuilder.CreateIndex(
                name: "IX_sign_in_lockouts_window_start",
                table: "sign_in_lockouts",
                column: "window_start");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sign_in_lockouts");

            migrationBuilder.AddColumn<int>(
                name: "failed_sign_ins",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "sign_in_lockouts",
                columns: table => new
                {
                    account_id = table.Column<int>(type: "INTEGER", nullable: false),
                    client = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    failures = table.Column<int>(type: "INTEGER", nullable: false),
                    locked_until = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sign_in_lockouts", x => new { x.account_id, x.client });
                    table.ForeignKey(
                        name: "FK_sign_in_lockouts_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "accounts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });
        }
    }
}
