using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SignInLockoutsByLogin : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Counters were kept per account; they are kept per login now. Old ones cannot be carried over (and would
            // collide on the new key): at worst an address that was locked gets its guesses back once.
            migrationBuilder.Sql("DELETE FROM sign_in_lockouts;");

            migrationBuilder.DropForeignKey(
                name: "FK_sign_in_lockouts_accounts_account_id",
                table: "sign_in_lockouts");

            migrationBuilder.DropPrimaryKey(
                name: "PK_sign_in_lockouts",
                table: "sign_in_lockouts");

            migrationBuilder.DropColumn(
                name: "account_id",
                table: "sign_in_lockouts");

            migrationBuilder.DropColumn(
                name: "failed_sign_ins",
                table: "accounts");

            migrationBuilder.AddColumn<string>(
                name: "login",
                table: "sign_in_lockouts",
                type: "TEXT",
                maxLength: 256,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "window_start",
                table: "sign_in_lockouts",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddPrimaryKey(
                name: "PK_sign_in_lockouts",
                table: "sign_in_lockouts",
                columns: new[] { "login", "client" });

            migrationBuilder.CreateIndex(
                name: "IX_sign_in_lockouts_window_start",
                table: "sign_in_lockouts",
                column: "window_start");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM sign_in_lockouts;");

            migrationBuilder.DropPrimaryKey(
                name: "PK_sign_in_lockouts",
                table: "sign_in_lockouts");

            migrationBuilder.DropIndex(
                name: "IX_sign_in_lockouts_window_start",
                table: "sign_in_lockouts");

            migrationBuilder.DropColumn(
                name: "login",
                table: "sign_in_lockouts");

            migrationBuilder.DropColumn(
                name: "window_start",
                table: "sign_in_lockouts");

            migrationBuilder.AddColumn<int>(
                name: "account_id",
                table: "sign_in_lockouts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "failed_sign_ins",
                table: "accounts",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddPrimaryKey(
                name: "PK_sign_in_lockouts",
                table: "sign_in_lockouts",
                columns: new[] { "account_id", "client" });

            migrationBuilder.AddForeignKey(
                name: "FK_sign_in_lockouts_accounts_account_id",
                table: "sign_in_lockouts",
                column: "account_id",
                principalTable: "accounts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);
        }
    }
}
