using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Trellis.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ListOrderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_recognitions_given_on",
                table: "recognitions");

            migrationBuilder.DropIndex(
                name: "IX_recognitions_to_id",
                table: "recognitions");

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_given_on_id",
                table: "recognitions",
                columns: new[] { "given_on", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_to_id_given_on_id",
                table: "recognitions",
                columns: new[] { "to_id", "given_on", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_value_given_on_id",
                table: "recognitions",
                columns: new[] { "value", "given_on", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_concerns_recorded_on_id",
                table: "concerns",
                columns: new[] { "recorded_on", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_recognitions_given_on_id",
                table: "recognitions");

            migrationBuilder.DropIndex(
                name: "IX_recognitions_to_id_given_on_id",
                table: "recognitions");

            migrationBuilder.DropIndex(
                name: "IX_recognitions_value_given_on_id",
                table: "recognitions");

            migrationBuilder.DropIndex(
                name: "IX_concerns_recorded_on_id",
                table: "concerns");

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_given_on",
                table: "recognitions",
                column: "given_on");

            migrationBuilder.CreateIndex(
                name: "IX_recognitions_to_id",
                table: "recognitions",
                column: "to_id");
        }
    }
}
