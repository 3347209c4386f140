package spark.jobserver.client;

/**
 * A page of a driver log ({@code GET /contexts/<name>/logs}, {@code GET /jobs/<id>/logs}).
 *
 * @param text the lines
 * @param nextOffset where the next page starts ({@code X-Next-Offset})
 * @param logSize the driver log's size when it was read ({@code X-Log-Size}); read on while
 *     {@code nextOffset < logSize}
 */
public record LogPage(String text, long nextOffset, long logSize) {
    public boolean hasMore() {
        return nextOffset < logSize;
    }
}
