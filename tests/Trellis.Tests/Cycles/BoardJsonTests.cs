using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Trellis.Cycles;
using Trellis.Tests.Infrastructure;

namespace Trellis.Tests.Cycles;

public sealed class BoardJsonTests
{
    [Fact]
    public async Task The_hand_written_board_json_is_exactly_what_the_api_options_make_of_the_record()
    {
        var board = new BoardResponse("2026-H1", "calibration", 3, 1, 2,
            new Dictionary<string, int> { ["ready"] = 1, ["soon"] = 0, ["developing"] = 0, ["insufficient_evidence"] = 1, ["blocked"] = 0 },
            [
                new BoardRow(1, "E1", "Zoë \"Z\" Ærø", "R&D <core>", "e2", "e3", "ready", 3.84, [3.52, 4.16], "pass", 4.5, 24, 7,
                    ["high_results_low_values", "substantiated_concern"], "accept", "promoted", "e3", 2),
                new BoardRow(2, "E2", "Eva", null, "e3", "l4", "insufficient_evidence", null, null, "unknown", null, 0, 0, [], null, null, null, 0),
            ]) { BudgetUsedWithoutOwn = true };
        // The JSON options the running app uses for its API (not a database test: SQLite only).
        await using var app = await TrellisApp.StartAsync(Provider.Sqlite, seed: false);
        var options = app.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var expected = JsonSerializer.Serialize(board, options);

        var buffer = new ArrayBufferWriter<byte>();
        BoardJson.Write(buffer, board, options.Encoder);
        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
