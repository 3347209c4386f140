package spark.jobserver.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/** A bar chart (PNG, log scale) of the median latency of each scenario: ours beside the baseline. */
final class Chart {
    private static final Color OURS = new Color(0x1f77b4);
    private static final Color BASELINE = new Color(0xff7f0e);

    private Chart() {}

    /** @param values per scenario: [ours ms, baseline ms (NaN when none)] */
    static void write(Path file, Map<String, double[]> values) throws IOException {
        int width = 1000;
        int height = 520;
        int left = 80;
        int bottom = 90;
        int top = 60;
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString("Median latency by scenario (ms, log scale): job server vs baseline", left, 30);

        double max = values.values().stream()
                .flatMap(v -> java.util.Arrays.stream(v).boxed())
                .filter(d -> !d.isNaN() && d > 0)
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(1);
        double logMax = Math.ceil(Math.log10(max));
        double logMin = -1; // 0.1 ms
        int plotHeight = height - top - bottom;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int exp = (int) logMin; exp <= logMax; exp++) {
            int y = top + plotHeight - (int) ((exp - logMin) / (logMax - logMin) * plotHeight);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left, y, width - 20, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(formatTick(exp), 10, y + 4);
        }
        int groups = values.size();
        int groupWidth = (width - left - 20) / Math.max(1, groups);
        int barWidth = groupWidth / 3;
        int i = 0;
        for (Map.Entry<String, double[]> e : values.entrySet()) {
            int x = left + i * groupWidth + groupWidth / 6;
            bar(g, x, e.getValue()[0], OURS, top, plotHeight, logMin, logMax, barWidth);
            bar(g, x + barWidth, e.getValue()[1], BASELINE, top, plotHeight, logMin, logMax, barWidth);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), x, height - bottom + 20);
            i++;
        }
        g.setColor(OURS);
        g.fillRect(left, height - 35, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString("job server", left + 20, height - 23);
        g.setColor(BASELINE);
        g.fillRect(left + 120, height - 35, 14, 14);
        g.setColor(Color.BLACK);
        g.drawString(
                "baseline (in-process warm job / bare JVM+SparkSession / spark-submit style)", left + 140, height - 23);
        g.setStroke(new BasicStroke(1));
        g.dispose();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void bar(
            Graphics2D g,
            int x,
            double value,
            Color color,
            int top,
            int plotHeight,
            double logMin,
            double logMax,
            int barWidth) {
        if (Double.isNaN(value) || value <= 0) {
            return;
        }
        double fraction = (Math.log10(value) - logMin) / (logMax - logMin);
        int h = (int) Math.max(1, fraction * plotHeight);
        g.setColor(color);
        g.fillRect(x, top + plotHeight - h, barWidth - 4, h);
        g.setColor(Color.BLACK);
        g.drawString(String.format(Locale.ROOT, value < 10 ? "%.1f" : "%.0f", value), x, top + plotHeight - h - 4);
    }

    private static String formatTick(int exp) {
        double v = Math.pow(10, exp);
        return v < 1 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.0f", v);
    }
}
